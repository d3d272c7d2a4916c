#include "keyvault/identity/managed_identity_source.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/error_codes.h"
#include "core/secure_bytes.h"
#include "keyvault/identity/form_body.h"
#include "keyvault/identity/token_response.h"

namespace geoekm {
namespace {

constexpr int kImdsRetries = 3;

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool RetriableImdsStatus(int status) { return status == 404 || status == 410 || status == 429 || status >= 500; }

std::string Encode(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", out);
  return out;
}

}  // namespace

Result<ManagedIdentityEndpoint> ManagedIdentityEndpoint::Resolve(
    const CredentialOptions& auth, const std::function<const char*(const char*)>& getenv_fn) {
  auto env = [&](const char* name) -> std::string {
    const char* v = getenv_fn ? getenv_fn(name) : std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  ManagedIdentityEndpoint e;
  std::string url;
  if (!auth.managed_identity_endpoint.empty()) {
    url = auth.managed_identity_endpoint;
  } else if (!env("IDENTITY_ENDPOINT").empty() && !env("IDENTITY_HEADER").empty()) {
    e.kind = Kind::kAppService;
    url = env("IDENTITY_ENDPOINT");
    std::string header = env("IDENTITY_HEADER");
    e.identity_header.assign(header.begin(), header.end());
    WipeString(header);
  } else {
    return e;
  }
  try {
    Poco::URI uri(url);
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
      return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput,
                    "managed identity endpoint '" + url + "' must be an http(s) URL");
    }
    e.scheme = uri.getScheme();
    e.host = uri.getHost();
    e.port = uri.getPort();
    e.path = uri.getPath();
    if (e.kind == Kind::kImds && (e.path.empty() || e.path == "/")) e.path = "/metadata/identity/oauth2/token";
    if (e.path.empty()) e.path = "/";
  } catch (const Poco::Exception&) {
    return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput,
                  "managed identity endpoint '" + url + "' is not a URL");
  }
  return e;
}

ManagedIdentitySource::ManagedIdentitySource(ManagedIdentityEndpoint endpoint, std::string client_id,
                                             HttpExchange exchange)
    : endpoint_(std::move(endpoint)), client_id_(std::move(client_id)), exchange_(std::move(exchange)) {}

std::string ManagedIdentitySource::identity() const {
  return endpoint_.scheme + "://" + endpoint_.host + ":" + std::to_string(endpoint_.port) + endpoint_.path + "|" +
         (client_id_.empty() ? "system-assigned" : client_id_);
}

HttpRequest ManagedIdentitySource::BuildRequest(const TokenScope& scope) const {
  HttpRequest request;
  request.method = "GET";
  bool app_service = endpoint_.kind == ManagedIdentityEndpoint::Kind::kAppService;
  request.target = endpoint_.path + "?api-version=" + (app_service ? "2019-08-01" : "2018-02-01") +
                   "&resource=" + Encode(scope.resource);
  if (!client_id_.empty()) request.target += "&client_id=" + Encode(client_id_);
  if (app_service) {
    request.headers.emplace_back("X-IDENTITY-HEADER",
                                 std::string(endpoint_.identity_header.begin(), endpoint_.identity_header.end()));
  } else {
    request.headers.emplace_back("Metadata", "true");
  }
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

Result<AccessToken> ManagedIdentitySource::Fetch(const TokenScope& scope, Deadline deadline) {
  HttpRequest request = BuildRequest(scope);
  std::string who = "managed identity endpoint " + endpoint_.host + ":" + std::to_string(endpoint_.port);
  std::chrono::milliseconds backoff(250);
  for (int attempt = 0;; ++attempt) {
    Result<HttpResponse> response = exchange_(request, deadline);
    if (!response.ok()) {
      Status s = response.status();
      s.Prefix(who + ": ");
      if (attempt < kImdsRetries && deadline.remaining() > backoff * 2) {
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
        continue;
      }
      return s;
    }
    HttpResponse& r = response.value();
    if (r.status >= 200 && r.status < 300) {
      Result<AccessToken> token = ParseTokenResponse(r.body, UnixNow());
      WipeString(r.body);
      return token;
    }
    if (RetriableImdsStatus(r.status) && attempt < kImdsRetries && deadline.remaining() > backoff * 2) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
      continue;
    }
    return TokenErrorFromResponse(r.status, r.body, who, {});
  }
}

}  // namespace geoekm
