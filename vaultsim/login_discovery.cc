#include "vaultsim/login_discovery.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <vector>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "vaultsim/json_text.h"
#include "vaultsim/login_error.h"
#include "vaultsim/login_token_minter.h"

namespace geoekm::vaultsim {
namespace {

Poco::JSON::Array::Ptr Strings(std::initializer_list<const char*> items) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const char* s : items) a->add(std::string(s));
  return a;
}

std::string BnToB64Url(const BIGNUM* bn) {
  std::vector<unsigned char> buf(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, buf.data());
  return Base64UrlEncode(buf.data(), buf.size());
}

Result<std::string> BuildJwks(const std::string& cert_file) {
  auto invalid = [&](const std::string& why) {
    return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "signing_cert " + cert_file + ": " + why);
  };
  BIO* bio = BIO_new_file(cert_file.c_str(), "r");
  if (!bio) return invalid("cannot read");
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) return invalid("no PEM certificate");
  std::string result;
  EVP_PKEY* key = X509_get0_pubkey(cert);
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (key && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
    unsigned char* der = nullptr;
    const int der_len = i2d_X509(cert, &der);
    unsigned char sha1[EVP_MAX_MD_SIZE];
    unsigned int sha1_len = 0;
    X509_digest(cert, EVP_sha1(), sha1, &sha1_len);
    const std::string x5t = Base64UrlEncode(sha1, sha1_len);
    Poco::JSON::Object jwk(Poco::JSON_PRESERVE_KEY_ORDER);
    jwk.set("kty", std::string("RSA"));
    jwk.set("use", std::string("sig"));
    jwk.set("kid", x5t);
    jwk.set("x5t", x5t);
    jwk.set("n", BnToB64Url(n));
    jwk.set("e", BnToB64Url(e));
    Poco::JSON::Array::Ptr x5c = new Poco::JSON::Array;
    x5c->add(Base64Encode(der, static_cast<std::size_t>(der_len)));
    jwk.set("x5c", x5c);
    OPENSSL_free(der);
    Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
    keys->add(jwk);
    Poco::JSON::Object jwks;
    jwks.set("keys", keys);
    result = ToJsonText(jwks);
  }
  BN_free(n);
  BN_free(e);
  X509_free(cert);
  if (result.empty()) return invalid("not an RSA certificate");
  return result;
}

LoginReply Json(std::string body) { return {200, std::move(body), {}}; }

}  // namespace

Result<std::unique_ptr<LoginDiscovery>> LoginDiscovery::Create(const LoginConfig& config) {
  auto jwks = BuildJwks(config.signing_cert);
  if (!jwks.ok()) return jwks.status();
  return std::unique_ptr<LoginDiscovery>(new LoginDiscovery(config, std::move(jwks).value()));
}

std::optional<LoginReply> LoginDiscovery::Handle(const std::string& path, const std::string& base_url,
                                                 std::int64_t now) const {
  Poco::StringTokenizer parts(path, "/", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  std::vector<std::string> seg(parts.begin(), parts.end());
  if (seg.empty()) return std::nullopt;
  const std::string tenant = seg[0];
  const bool generic = Poco::icompare(tenant, "common") == 0 || Poco::icompare(tenant, "organizations") == 0;

  if (seg.size() == 3 && generic && seg[1] == "discovery" && seg[2] == "instance") {
    // Instance discovery: this host is its own (only) alias.
    const std::string host = base_url.substr(base_url.find("://") + 3);
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("tenant_discovery_endpoint", base_url + "/{tenant}/v2.0/.well-known/openid-configuration");
    body.set("api-version", std::string("1.1"));
    Poco::JSON::Object::Ptr meta = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    meta->set("preferred_network", host);
    meta->set("preferred_cache", host);
    Poco::JSON::Array::Ptr aliases = new Poco::JSON::Array;
    aliases->add(host);
    meta->set("aliases", aliases);
    Poco::JSON::Array::Ptr metadata = new Poco::JSON::Array;
    metadata->add(meta);
    body.set("metadata", metadata);
    return Json(ToJsonText(body));
  }

  const bool v2_config =
      seg.size() == 4 && seg[1] == "v2.0" && seg[2] == ".well-known" && seg[3] == "openid-configuration";
  const bool v1_config = seg.size() == 3 && seg[1] == ".well-known" && seg[2] == "openid-configuration";
  const bool keys = (seg.size() == 4 && seg[1] == "discovery" && seg[2] == "v2.0" && seg[3] == "keys") ||
                    (seg.size() == 3 && seg[1] == "discovery" && seg[2] == "keys");
  if (!v2_config && !v1_config && !keys) return std::nullopt;
  if (!generic && !config_.HasTenant(tenant)) {
    LoginReply r = TenantNotFound(tenant).ToReply("", now);
    return r;
  }
  if (keys) return Json(jwks_);

  const std::string t = generic ? "{tenantid}" : Poco::toLower(tenant);
  const std::string base = base_url + "/" + (generic ? tenant : t);
  Poco::JSON::Object c(Poco::JSON_PRESERVE_KEY_ORDER);
  // v1 and v2 documents differ in the oauth2 paths, the keys URL, the
  // response types, scopes and issuer; v2 adds two members after the issuer.
  const std::string oauth2 = base + (v2_config ? "/oauth2/v2.0" : "/oauth2");
  c.set("token_endpoint", oauth2 + "/token");
  c.set("token_endpoint_auth_methods_supported",
        Strings({"client_secret_post", "private_key_jwt", "client_secret_basic"}));
  c.set("jwks_uri", v2_config ? base + "/discovery/v2.0/keys" : base_url + "/common/discovery/keys");
  c.set("response_modes_supported", Strings({"query", "fragment", "form_post"}));
  c.set("subject_types_supported", Strings({"pairwise"}));
  c.set("id_token_signing_alg_values_supported", Strings({"RS256"}));
  c.set("response_types_supported", v2_config ? Strings({"code", "id_token", "code id_token", "id_token token"})
                                              : Strings({"code", "id_token", "code id_token", "token id_token", "token"}));
  c.set("scopes_supported", v2_config ? Strings({"openid", "profile", "email", "offline_access"}) : Strings({"openid"}));
  if (v2_config) {
    c.set("issuer", base_url + "/" + t + "/v2.0");
    c.set("request_uri_parameter_supported", false);
    c.set("userinfo_endpoint", base_url + "/oidc/userinfo");
  } else {
    c.set("issuer", generic ? std::string("https://sts.windows.net/{tenantid}/") : TokenIssuerFor(t));
  }
  c.set("authorization_endpoint", oauth2 + "/authorize");
  c.set("device_authorization_endpoint", oauth2 + "/devicecode");
  c.set("http_logout_supported", true);
  c.set("frontchannel_logout_supported", true);
  c.set("end_session_endpoint", oauth2 + "/logout");
  c.set("claims_supported", Strings({"sub", "iss", "aud", "exp", "iat", "nbf", "tid", "appid", "oid", "ver"}));
  c.set("tenant_region_scope", Poco::Dynamic::Var());
  c.set("cloud_instance_name", std::string("vault.test"));
  c.set("cloud_graph_host_name", std::string("graph.windows.net"));
  c.set("msgraph_host", std::string("graph.microsoft.com"));
  c.set("rbac_url", std::string("https://pas.windows.net"));
  return Json(ToJsonText(c));
}

}  // namespace geoekm::vaultsim
