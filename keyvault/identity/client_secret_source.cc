#include "keyvault/identity/client_secret_source.h"

#include <chrono>
#include <fstream>
#include <iterator>

#include "core/error_codes.h"
#include "core/secure_bytes.h"
#include "keyvault/identity/form_body.h"
#include "keyvault/identity/token_response.h"

namespace geoekm {
namespace {

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<SecureString> ReadSecretFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(codes::kTokenBadCredentials, ErrorClass::kAuth,
                  "cannot read the " + std::string(what) + " file '" + path + "'");
  }
  SecureString secret;
  secret.reserve(256);
  char c;
  while (in.get(c)) secret.push_back(c);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) {
    secret.pop_back();
  }
  return secret;
}

Result<AccessToken> RequestToken(const HttpExchange& authority, const TokenEndpoint& endpoint,
                                 const std::string& tenant, const std::string& form_body, Deadline deadline,
                                 const std::vector<std::string_view>& secrets) {
  HttpRequest request;
  request.method = "POST";
  request.target = endpoint.PathFor(tenant);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body.reserve(form_body.size());
  request.body = form_body;
  Result<HttpResponse> response = authority(request, deadline);
  WipeString(request.body);
  if (!response.ok()) {
    Status s = response.status();
    s.Prefix("token request to " + endpoint.authority() + ": ");
    return s;
  }
  HttpResponse& r = response.value();
  Result<AccessToken> out =
      r.status >= 200 && r.status < 300
          ? ParseTokenResponse(r.body, UnixNow())
          : Result<AccessToken>(TokenErrorFromResponse(
                r.status, r.body, "token endpoint " + endpoint.authority() + "/" + tenant, secrets));
  WipeString(r.body);
  return out;
}

ClientSecretSource::ClientSecretSource(TokenEndpoint endpoint, std::string client_id, SecureString inline_secret,
                                       std::string secret_file, HttpExchange authority)
    : endpoint_(std::move(endpoint)),
      client_id_(std::move(client_id)),
      inline_secret_(std::move(inline_secret)),
      secret_file_(std::move(secret_file)),
      authority_(std::move(authority)) {}

Result<SecureString> ClientSecretSource::Secret() const {
  if (!inline_secret_.empty()) return inline_secret_;
  if (secret_file_.empty()) {
    return Status(codes::kTokenBadCredentials, ErrorClass::kAuth, "no client secret configured");
  }
  return ReadSecretFile(secret_file_, "client secret");
}

Result<AccessToken> ClientSecretSource::Fetch(const TokenScope& scope, Deadline deadline) {
  Result<SecureString> secret = Secret();
  if (!secret.ok()) return secret.status();
  std::string_view secret_view(secret.value());
  FormBody body;
  body.Add("grant_type", "client_credentials").Add("client_id", client_id_).Add("client_secret", secret_view);
  if (endpoint_.version() == TokenEndpointVersion::kV2) {
    body.Add("scope", scope.resource + "/.default");
  } else {
    body.Add("resource", scope.resource);
  }
  return RequestToken(authority_, endpoint_, scope.tenant, body.str(), deadline, {secret_view});
}

}  // namespace geoekm
