#include "vaultsim/login_token_endpoint.h"

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>

#include <openssl/crypto.h>

#include <sstream>
#include <vector>

#include "core/random_uuid.h"
#include "vaultsim/json_text.h"

namespace geoekm::vaultsim {
namespace {

constexpr char kAssertionType[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

std::string Param(const TokenRequest& r, const std::string& name) {
  auto it = r.form.find(name);
  return it == r.form.end() ? std::string() : it->second;
}

bool SameSecret(const SecureString& expected, const SecureString& given) {
  return expected.size() == given.size() && CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0;
}

// RFC 6749 §2.3.1: "Basic base64(urlencode(id):urlencode(secret))".
bool ParseBasic(const std::string& header, std::string* id, SecureString* secret) {
  if (header.size() < 6 || Poco::icompare(header.substr(0, 6), "basic ") != 0) return false;
  std::istringstream in(Poco::trim(header.substr(6)));
  Poco::Base64Decoder decoder(in);
  SecureString decoded;
  char buf[256];
  while (decoder.read(buf, sizeof buf) || decoder.gcount() > 0) {
    decoded.append(buf, static_cast<std::size_t>(decoder.gcount()));
  }
  OPENSSL_cleanse(buf, sizeof buf);
  const auto colon = std::find(decoded.begin(), decoded.end(), ':');
  if (colon == decoded.end()) return false;
  std::string raw_id(decoded.begin(), colon);
  std::string raw_secret(colon + 1, decoded.end());
  std::string s;
  Poco::URI::decode(raw_id, *id, true);
  Poco::URI::decode(raw_secret, s, true);
  secret->assign(s.begin(), s.end());
  OPENSSL_cleanse(raw_secret.data(), raw_secret.size());
  OPENSSL_cleanse(s.data(), s.size());
  return true;
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

void AddTokenResponseHeaders(LoginReply* reply) {
  reply->headers.emplace_back("Cache-Control", "no-store, no-cache");
  reply->headers.emplace_back("Pragma", "no-cache");
  reply->headers.emplace_back("X-Content-Type-Options", "nosniff");
}

Result<std::unique_ptr<TokenEndpoint>> TokenEndpoint::Create(const LoginConfig& config,
                                                             const LoginTokenMinter& minter) {
  std::unique_ptr<TokenEndpoint> e(new TokenEndpoint(config, minter));
  for (const auto& app : config.apps) {
    auto certs = RegisteredCertificates::Load(app.certificate_files);
    if (!certs.ok()) return certs.status();
    e->certificates_[app.client_id] = std::move(certs).value();
  }
  return e;
}

LoginReply TokenEndpoint::Handle(const TokenRequest& request, std::int64_t now) const {
  auto fail = [&](const EntraError& e) {
    LoginReply r = e.ToReply(request.client_request_id, now);
    AddTokenResponseHeaders(&r);
    return r;
  };
  if (!config_.HasTenant(request.tenant)) return fail(TenantNotFound(request.tenant));
  const std::string tenant = Poco::toLower(request.tenant);

  const std::string grant_type = Param(request, "grant_type");
  if (grant_type.empty()) return fail(MissingParameter("grant_type"));
  if (grant_type != "client_credentials") return fail(UnsupportedGrantType(grant_type));

  std::string basic_id;
  SecureString basic_secret;
  const bool basic = ParseBasic(request.authorization, &basic_id, &basic_secret);
  std::string client_id = Param(request, "client_id");
  if (client_id.empty()) client_id = basic_id;
  if (client_id.empty()) return fail(MissingParameter("client_id"));

  // The resource: v2 from scope "<resource>/.default", v1 from resource.
  std::string resource;
  if (request.v1) {
    resource = TrimSlash(Param(request, "resource"));
    if (resource.empty()) return fail(MissingParameter("resource"));
  } else {
    const std::string scope = Param(request, "scope");
    if (scope.empty()) return fail(MissingParameter("scope"));
    std::vector<std::string> resources;
    Poco::StringTokenizer tokens(scope, " ", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
    for (const auto& s : tokens) {
      // OIDC scopes are dropped silently by ESTS for client_credentials.
      if (s == "openid" || s == "profile" || s == "offline_access") continue;
      const std::string suffix = "/.default";
      if (s.size() <= suffix.size() || s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return fail(InvalidScope(s));
      }
      resources.push_back(s.substr(0, s.size() - suffix.size()));
    }
    if (resources.size() != 1) return fail(InvalidScope(scope));
    resource = TrimSlash(resources.front());
  }
  if (!config_.resources.empty()) {
    bool known = false;
    for (const auto& r : config_.resources) known = known || Poco::icompare(r, resource) == 0;
    if (!known) return fail(ResourceNotFound(resource, tenant));
  }

  const LoginApp* app = config_.FindApp(client_id);
  if (!app || app->tenant != tenant) return fail(ApplicationNotFound(client_id, request.tenant));

  const std::string assertion = Param(request, "client_assertion");
  const std::string form_secret = Param(request, "client_secret");
  if (!assertion.empty()) {
    if (Param(request, "client_assertion_type") != kAssertionType) {
      return fail(MissingParameter("client_assertion_type"));
    }
    const std::string base = request.base_url + "/" + request.tenant;
    const std::vector<std::string> audiences = {base + "/oauth2/v2.0/token", base + "/oauth2/token",
                                                request.base_url + "/" + tenant + "/oauth2/v2.0/token",
                                                request.base_url + "/" + tenant + "/oauth2/token"};
    auto it = certificates_.find(app->client_id);
    if (it == certificates_.end()) return fail(AssertionSignatureInvalid("[Reason - The key was not found.]"));
    if (auto error = it->second->Validate(assertion, app->client_id, audiences, now)) return fail(*error);
  } else if (!form_secret.empty() || basic) {
    const SecureString given = form_secret.empty() ? basic_secret : SecureString(form_secret.begin(), form_secret.end());
    bool match = false;
    for (const auto& s : app->secrets) match = match || SameSecret(s, given);
    if (!match) return fail(InvalidClientSecret(app->client_id));
  } else {
    return fail(MissingCredential());
  }

  auto token = minter_.Mint(tenant, app->client_id, resource, now);
  if (!token.ok()) {
    return fail({500, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again."});
  }
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("token_type", std::string("Bearer"));
  if (request.v1) {
    body.set("expires_in", std::to_string(token->lifetime));
    body.set("ext_expires_in", std::to_string(token->lifetime));
    body.set("expires_on", std::to_string(token->expires));
    body.set("not_before", std::to_string(token->not_before));
    body.set("resource", resource);
  } else {
    body.set("expires_in", token->lifetime);
    body.set("ext_expires_in", token->lifetime);
  }
  body.set("access_token", token->jwt);
  LoginReply reply;
  reply.status = 200;
  reply.body = ToJsonText(body);
  reply.headers.emplace_back("x-ms-request-id", RandomUuid());
  AddTokenResponseHeaders(&reply);
  return reply;
}

}  // namespace geoekm::vaultsim
