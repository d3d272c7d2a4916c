// Unit tests of the login service's endpoint logic (no sockets): the
// client_credentials grant on v1/v2 with secrets, HTTP Basic and client
// assertions, every AADSTS error shape, and the IMDS / App Service
// managed-identity endpoints.
#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <sstream>

#include "core/base64url.h"
#include "vaultsim/access_token.h"
#include "vaultsim/imds_endpoint.h"
#include "vaultsim/login_config.h"
#include "vaultsim/login_discovery.h"
#include "vaultsim/login_token_endpoint.h"
#include "vaultsim/login_token_minter.h"
#include "tests/support/test_pki_files.h"

namespace geoekm::vaultsim {
namespace {

using testing::TestPkiFiles;

constexpr char kTenant[] = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
constexpr char kApp[] = "5a1d3c9e0b7f4e2a8c6d1f3b9e7a2c4d";
constexpr char kSecret[] = "s3cr3t~value.with-odd_chars+and/slash";
constexpr char kBase[] = "https://login.vault.test:4443";
constexpr std::int64_t kNow = 1'800'000'000;

Poco::JSON::Object::Ptr Json(const std::string& text) {
  Poco::JSON::Parser p;
  return p.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string Base64(const std::string& s) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << s;
  enc.close();
  return out.str();
}

std::string Digest(const std::string& cert_file, const EVP_MD* md) {
  BIO* bio = BIO_new_file(cert_file.c_str(), "r");
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(x, md, buf, &len);
  X509_free(x);
  return Base64UrlEncode(buf, len);
}

// Signs header.payload with the PEM key (RS256 or PS256).
std::string SignJwt(const std::string& key_file, const std::string& alg, const std::string& header,
                    const std::string& payload) {
  const std::string signing_input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  BIO* bio = BIO_new_file(key_file.c_str(), "r");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, key);
  if (alg == "PS256") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  std::vector<unsigned char> sig(len);
  EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return signing_input + "." + Base64UrlEncode(sig.data(), len);
}

struct AssertionSpec {
  std::string alg = "RS256";
  bool x5t = true;
  bool x5t_s256 = false;
  std::string aud = std::string(kBase) + "/" + kTenant + "/oauth2/v2.0/token";
  std::string iss = kApp;
  std::int64_t nbf = kNow;
  std::int64_t exp = kNow + 600;
  int client = 1;  // which PKI client certificate signs
};

std::string Assertion(const AssertionSpec& s) {
  const auto& pki = TestPkiFiles::Shared();
  Poco::JSON::Object h;
  h.set("alg", s.alg);
  h.set("typ", std::string("JWT"));
  if (s.x5t) h.set("x5t", Digest(pki.client_cert(s.client), EVP_sha1()));
  if (s.x5t_s256) h.set("x5t#S256", Digest(pki.client_cert(s.client), EVP_sha256()));
  Poco::JSON::Object p;
  p.set("aud", s.aud);
  p.set("iss", s.iss);
  p.set("sub", s.iss);
  p.set("jti", std::string("6b2f6a1e-0c6f-4b64-9d6b-6f1f0d3b2a10"));
  p.set("nbf", s.nbf);
  p.set("exp", s.exp);
  std::ostringstream hs, ps;
  h.stringify(hs);
  p.stringify(ps);
  return SignJwt(pki.client_key(s.client), s.alg, hs.str(), ps.str());
}

class LoginEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& pki = TestPkiFiles::Shared();
    config_.tenants = {kTenant};
    config_.resources = {"https://vault.test"};
    config_.signing_key = pki.signing_key();
    config_.signing_cert = pki.signing_cert();
    LoginApp app;
    app.client_id = kApp;
    app.tenant = kTenant;
    app.secrets.push_back(SecureString(kSecret));
    app.certificate_files.push_back(pki.client_cert(1));
    config_.apps.push_back(app);
    config_.managed_identity_enabled = true;
    config_.identity_header = "app-service-header-secret";
    ManagedIdentity mi;
    mi.client_id = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a";
    mi.object_id = "11111111-2222-3333-4444-555555555555";
    mi.app_id = kApp;
    mi.tenant = kTenant;
    mi.system_assigned = true;
    config_.managed_identities.push_back(mi);
    auto issuer = AccessTokenIssuer::FromKeyFile(pki.signing_key());
    ASSERT_TRUE(issuer.ok());
    minter_ = std::make_unique<LoginTokenMinter>(std::move(issuer).value(), 3599, 0);
    auto endpoint = TokenEndpoint::Create(config_, *minter_);
    ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    endpoint_ = std::move(endpoint).value();
    auto verifier = AccessTokenVerifier::FromFile(pki.signing_cert());
    ASSERT_TRUE(verifier.ok());
    verifier_ = std::move(verifier).value();
  }

  TokenRequest V2(std::map<std::string, std::string> form) const {
    TokenRequest r;
    r.tenant = kTenant;
    r.form = std::move(form);
    r.base_url = kBase;
    return r;
  }

  static std::map<std::string, std::string> SecretForm() {
    return {{"grant_type", "client_credentials"},
            {"client_id", kApp},
            {"client_secret", kSecret},
            {"scope", "https://vault.test/.default"}};
  }

  std::map<std::string, std::string> AssertionForm(const AssertionSpec& spec) const {
    return {{"grant_type", "client_credentials"},
            {"client_id", kApp},
            {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
            {"client_assertion", Assertion(spec)},
            {"scope", "https://vault.test/.default"}};
  }

  // Checks the §4.5 shape and returns the parsed body.
  static Poco::JSON::Object::Ptr ExpectEntraError(const LoginReply& r, int status, const std::string& error,
                                                  int aadsts) {
    EXPECT_EQ(r.status, status) << r.body;
    auto body = Json(r.body);
    EXPECT_EQ(body->getValue<std::string>("error"), error);
    auto codes = body->getArray("error_codes");
    EXPECT_TRUE(codes && codes->size() == 1 && codes->get(0).isInteger()) << r.body;
    if (codes && codes->size() == 1) {
      EXPECT_EQ(codes->getElement<int>(0), aadsts);
    }
    const std::string d = body->getValue<std::string>("error_description");
    EXPECT_EQ(d.rfind("AADSTS" + std::to_string(aadsts) + ": ", 0), 0u) << d;
    EXPECT_NE(d.find("\r\nTrace ID: " + body->getValue<std::string>("trace_id")), std::string::npos) << d;
    EXPECT_NE(d.find("\r\nCorrelation ID: " + body->getValue<std::string>("correlation_id")), std::string::npos);
    EXPECT_NE(d.find("\r\nTimestamp: "), std::string::npos);
    EXPECT_EQ(body->getValue<std::string>("error_uri"),
              "https://login.microsoftonline.com/error?code=" + std::to_string(aadsts));
    EXPECT_EQ(body->getValue<std::string>("timestamp").size(), std::string("2016-01-09 02:02:12Z").size());
    return body;
  }

  AccessTokenClaims ExpectToken(const std::string& jwt) const {
    auto claims = verifier_->Verify(jwt, kNow);
    EXPECT_TRUE(claims.ok()) << claims.status().ToString();
    return claims.ok() ? *claims : AccessTokenClaims{};
  }

  LoginConfig config_;
  std::unique_ptr<LoginTokenMinter> minter_;
  std::unique_ptr<TokenEndpoint> endpoint_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
};

TEST_F(LoginEndpointsTest, V2SecretGivesNumbersAndAVaultToken) {
  LoginReply r = endpoint_->Handle(V2(SecretForm()), kNow);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = Json(r.body);
  EXPECT_EQ(body->getValue<std::string>("token_type"), "Bearer");
  EXPECT_TRUE(body->get("expires_in").isInteger());
  EXPECT_TRUE(body->get("ext_expires_in").isInteger());
  EXPECT_EQ(body->getValue<int>("expires_in"), 3599);
  EXPECT_FALSE(body->has("expires_on"));
  auto claims = ExpectToken(body->getValue<std::string>("access_token"));
  EXPECT_EQ(claims.audience, "https://vault.test");
  EXPECT_EQ(claims.app_id, kApp);
  EXPECT_EQ(claims.tenant, kTenant);
  EXPECT_EQ(claims.issuer, std::string("https://sts.windows.net/") + kTenant + "/");
  EXPECT_EQ(claims.expires, kNow + 3599);
}

TEST_F(LoginEndpointsTest, V1SecretGivesStrings) {
  auto form = SecretForm();
  form.erase("scope");
  form["resource"] = "https://vault.test/";
  TokenRequest req = V2(form);
  req.v1 = true;
  LoginReply r = endpoint_->Handle(req, kNow);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = Json(r.body);
  for (const char* k : {"expires_in", "expires_on", "not_before", "resource", "access_token"}) {
    ASSERT_TRUE(body->has(k)) << k;
    EXPECT_TRUE(body->get(k).isString()) << k;
  }
  EXPECT_EQ(body->getValue<std::string>("expires_in"), "3599");
  EXPECT_EQ(body->getValue<std::string>("expires_on"), std::to_string(kNow + 3599));
  EXPECT_EQ(ExpectToken(body->getValue<std::string>("access_token")).audience, "https://vault.test");
}

TEST_F(LoginEndpointsTest, HttpBasicClientAuthentication) {
  auto form = SecretForm();
  form.erase("client_id");
  form.erase("client_secret");
  TokenRequest req = V2(form);
  // RFC 6749 §2.3.1: form-urlencoded id and secret inside Basic.
  req.authorization = "Basic " + Base64(std::string(kApp) + ":s3cr3t~value.with-odd_chars%2Band%2Fslash");
  LoginReply r = endpoint_->Handle(req, kNow);
  EXPECT_EQ(r.status, 200) << r.body;
  req.authorization = "Basic " + Base64(std::string(kApp) + ":wrong");
  ExpectEntraError(endpoint_->Handle(req, kNow), 401, "invalid_client", 7000215);
}

TEST_F(LoginEndpointsTest, WrongSecretIs7000215) {
  auto form = SecretForm();
  form["client_secret"] = "not-the-secret";
  auto body = ExpectEntraError(endpoint_->Handle(V2(form), kNow), 401, "invalid_client", 7000215);
  EXPECT_EQ(body->getValue<std::string>("error_description").find("not-the-secret"), std::string::npos);
}

TEST_F(LoginEndpointsTest, CorrelationIdEchoesClientRequestId) {
  auto form = SecretForm();
  form["client_secret"] = "x";
  TokenRequest req = V2(form);
  req.client_request_id = "0f0e0d0c-0b0a-0908-0706-050403020100";
  auto body = ExpectEntraError(endpoint_->Handle(req, kNow), 401, "invalid_client", 7000215);
  EXPECT_EQ(body->getValue<std::string>("correlation_id"), req.client_request_id);
}

TEST_F(LoginEndpointsTest, UnknownAppIs700016) {
  auto form = SecretForm();
  form["client_id"] = "ffffffffffffffffffffffffffffffff";
  ExpectEntraError(endpoint_->Handle(V2(form), kNow), 400, "unauthorized_client", 700016);
}

TEST_F(LoginEndpointsTest, UnknownTenantIs90002) {
  TokenRequest req = V2(SecretForm());
  req.tenant = "00000000-0000-0000-0000-000000000001";
  ExpectEntraError(endpoint_->Handle(req, kNow), 400, "invalid_tenant", 90002);
}

TEST_F(LoginEndpointsTest, MissingCredentialIs7000218) {
  auto form = SecretForm();
  form.erase("client_secret");
  ExpectEntraError(endpoint_->Handle(V2(form), kNow), 401, "invalid_client", 7000218);
}

TEST_F(LoginEndpointsTest, BadScopesAre70011) {
  for (const char* scope : {"https://vault.test", "https://vault.test/.default https://other.test/.default"}) {
    auto form = SecretForm();
    form["scope"] = scope;
    ExpectEntraError(endpoint_->Handle(V2(form), kNow), 400, "invalid_scope", 70011);
  }
}

TEST_F(LoginEndpointsTest, UnknownResourceIs500011) {
  auto form = SecretForm();
  form["scope"] = "https://management.test/.default";
  ExpectEntraError(endpoint_->Handle(V2(form), kNow), 400, "invalid_resource", 500011);
}

TEST_F(LoginEndpointsTest, OtherGrantTypesRejected) {
  auto form = SecretForm();
  form["grant_type"] = "password";
  ExpectEntraError(endpoint_->Handle(V2(form), kNow), 400, "unsupported_grant_type", 70003);
  form.erase("grant_type");
  ExpectEntraError(endpoint_->Handle(V2(form), kNow), 400, "invalid_request", 900144);
}

TEST_F(LoginEndpointsTest, AssertionWithX5t) {
  LoginReply r = endpoint_->Handle(V2(AssertionForm({})), kNow);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ExpectToken(Json(r.body)->getValue<std::string>("access_token")).app_id, kApp);
}

TEST_F(LoginEndpointsTest, AssertionWithX5tS256OnlyAndPs256) {
  AssertionSpec s;
  s.x5t = false;
  s.x5t_s256 = true;
  EXPECT_EQ(endpoint_->Handle(V2(AssertionForm(s)), kNow).status, 200);
  s.alg = "PS256";
  EXPECT_EQ(endpoint_->Handle(V2(AssertionForm(s)), kNow).status, 200);
  s.x5t = true;  // both thumbprints, must name the same certificate
  EXPECT_EQ(endpoint_->Handle(V2(AssertionForm(s)), kNow).status, 200);
}

TEST_F(LoginEndpointsTest, AssertionOnV1WithV1Audience) {
  AssertionSpec s;
  s.aud = std::string(kBase) + "/" + kTenant + "/oauth2/token";
  auto form = AssertionForm(s);
  form.erase("scope");
  form["resource"] = "https://vault.test";
  TokenRequest req = V2(form);
  req.v1 = true;
  EXPECT_EQ(endpoint_->Handle(req, kNow).status, 200);
}

TEST_F(LoginEndpointsTest, AssertionSignedByUnregisteredCertificateIs700027) {
  AssertionSpec s;
  s.client = 2;  // not registered for the app
  ExpectEntraError(endpoint_->Handle(V2(AssertionForm(s)), kNow), 401, "invalid_client", 700027);
}

TEST_F(LoginEndpointsTest, AssertionWithBadSignatureIs700027) {
  auto form = AssertionForm({});
  std::string& jwt = form["client_assertion"];
  jwt[jwt.size() - 5] = jwt[jwt.size() - 5] == 'A' ? 'B' : 'A';
  ExpectEntraError(endpoint_->Handle(V2(form), kNow), 401, "invalid_client", 700027);
  // Claims from one assertion with the signature of another.
  AssertionSpec other;
  other.iss = "ffffffffffffffffffffffffffffffff";
  auto forged = AssertionForm(other)["client_assertion"];
  const std::string good = AssertionForm({})["client_assertion"];
  form["client_assertion"] = forged.substr(0, forged.rfind('.')) + good.substr(good.rfind('.'));
  ExpectEntraError(endpoint_->Handle(V2(form), kNow), 401, "invalid_client", 700027);
}

TEST_F(LoginEndpointsTest, AssertionClaimsChecked) {
  AssertionSpec wrong_aud;
  wrong_aud.aud = "https://login.microsoftonline.com/" + std::string(kTenant) + "/oauth2/v2.0/token";
  ExpectEntraError(endpoint_->Handle(V2(AssertionForm(wrong_aud)), kNow), 401, "invalid_client", 50012);
  AssertionSpec wrong_iss;
  wrong_iss.iss = "ffffffffffffffffffffffffffffffff";
  ExpectEntraError(endpoint_->Handle(V2(AssertionForm(wrong_iss)), kNow), 401, "invalid_client", 700021);
  AssertionSpec expired;
  expired.nbf = kNow - 3600;
  expired.exp = kNow - 1200;
  ExpectEntraError(endpoint_->Handle(V2(AssertionForm(expired)), kNow), 401, "invalid_client", 700024);
  AssertionSpec hs;
  hs.alg = "HS256";  // header says HS256 (signed RS256 anyway): refused by algorithm
  ExpectEntraError(endpoint_->Handle(V2(AssertionForm(hs)), kNow), 401, "invalid_client", 700027);
}

TEST_F(LoginEndpointsTest, DiscoveryPointsAtThisHost) {
  auto discovery = LoginDiscovery::Create(config_);
  ASSERT_TRUE(discovery.ok());
  auto r = (*discovery)->Handle(std::string("/") + kTenant + "/v2.0/.well-known/openid-configuration", kBase, kNow);
  ASSERT_TRUE(r.has_value());
  auto body = Json(r->body);
  EXPECT_EQ(body->getValue<std::string>("token_endpoint"), std::string(kBase) + "/" + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(body->getValue<std::string>("issuer"), std::string(kBase) + "/" + kTenant + "/v2.0");
  EXPECT_EQ(body->getValue<std::string>("authorization_endpoint").rfind(kBase, 0), 0u);
  auto keys = (*discovery)->Handle(std::string("/") + kTenant + "/discovery/v2.0/keys", kBase, kNow);
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(Json(keys->body)->getArray("keys")->size(), 1u);
  auto unknown = (*discovery)->Handle("/00000000-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration",
                                      kBase, kNow);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->status, 400);
  EXPECT_FALSE((*discovery)->Handle("/nothing/here", kBase, kNow).has_value());
}

class ManagedIdentityTest : public LoginEndpointsTest {
 protected:
  LoginReply Imds(std::optional<std::string> metadata, std::map<std::string, std::string> query) {
    ManagedIdentityRequest r = Get(ManagedIdentityEndpoint::kImdsPath, std::move(query));
    r.metadata = std::move(metadata);
    return Handle(r);
  }
  LoginReply AppService(std::optional<std::string> header, std::map<std::string, std::string> query) {
    ManagedIdentityRequest r = Get(ManagedIdentityEndpoint::kAppServicePath, std::move(query));
    r.identity_header = std::move(header);
    return Handle(r);
  }
  static ManagedIdentityRequest Get(const std::string& path, std::map<std::string, std::string> query) {
    ManagedIdentityRequest r;
    r.method = "GET";
    r.path = path;
    r.query = std::move(query);
    return r;
  }
  LoginReply Handle(const ManagedIdentityRequest& r) {
    ManagedIdentityEndpoint e(config_, *minter_);
    return e.Handle(r, kNow);
  }
  static std::map<std::string, std::string> Query(const std::string& api = "2018-02-01") {
    return {{"api-version", api}, {"resource", "https://vault.test"}};
  }
};

TEST_F(ManagedIdentityTest, ImdsNeedsMetadataHeader) {
  for (std::optional<std::string> h : {std::optional<std::string>(), std::optional<std::string>("True"),
                                       std::optional<std::string>("false")}) {
    LoginReply r = Imds(h, Query());
    EXPECT_EQ(r.status, 400);
    auto body = Json(r.body);
    EXPECT_EQ(body->getValue<std::string>("error"), "bad_request_102");
    EXPECT_EQ(body->getValue<std::string>("error_description"), "Required metadata header not specified");
  }
}

TEST_F(ManagedIdentityTest, ImdsTokenHasStringNumbersAndAppId) {
  LoginReply r = Imds("true", Query());
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = Json(r.body);
  for (const char* k : {"expires_in", "expires_on", "not_before", "resource", "token_type", "access_token"}) {
    ASSERT_TRUE(body->has(k)) << k;
    EXPECT_TRUE(body->get(k).isString()) << k;
  }
  EXPECT_EQ(body->getValue<std::string>("expires_on"), std::to_string(kNow + 3599));
  auto claims = ExpectToken(body->getValue<std::string>("access_token"));
  EXPECT_EQ(claims.app_id, kApp);  // mapped onto the app
  EXPECT_EQ(claims.audience, "https://vault.test");
}

TEST_F(ManagedIdentityTest, ImdsPathWithTrailingSlash) {
  // MSAL asks for ".../oauth2/token/".
  ManagedIdentityRequest r = Get(std::string(ManagedIdentityEndpoint::kImdsPath) + "/", Query());
  r.metadata = "true";
  EXPECT_EQ(Handle(r).status, 200);
  r.path = "/metadata/identity/oauth2/tokens";
  EXPECT_EQ(Handle(r).status, 404);
}

TEST_F(ManagedIdentityTest, ImdsSelectsIdentity) {
  auto q = Query();
  q["client_id"] = "0D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A";
  EXPECT_EQ(Imds("true", q).status, 200);
  q["client_id"] = "99999999999999999999999999999999";
  LoginReply r = Imds("true", q);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json(r.body)->getValue<std::string>("error_description"), "Identity not found");
  q.erase("client_id");
  q["object_id"] = "11111111-2222-3333-4444-555555555555";
  EXPECT_EQ(Imds("true", q).status, 200);
}

TEST_F(ManagedIdentityTest, ImdsRequestErrors) {
  EXPECT_EQ(Imds("true", {{"resource", "https://vault.test"}}).status, 400);
  EXPECT_EQ(Imds("true", {{"api-version", "2018-02-01"}}).status, 400);
  auto q = Query();
  q["resource"] = "https://management.test";
  LoginReply r = Imds("true", q);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json(r.body)->getValue<std::string>("error"), "invalid_resource");
}

TEST_F(ManagedIdentityTest, AppServiceNeedsIdentityHeader) {
  EXPECT_EQ(AppService(std::nullopt, Query("2019-08-01")).status, 401);
  EXPECT_EQ(AppService("wrong", Query("2019-08-01")).status, 401);
  LoginReply r = AppService("app-service-header-secret", Query("2019-08-01"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = Json(r.body);
  EXPECT_TRUE(body->get("expires_on").isString());
  EXPECT_EQ(body->getValue<std::string>("expires_on"), std::to_string(kNow + 3599));
  EXPECT_EQ(body->getValue<std::string>("client_id"), "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a");
  EXPECT_EQ(ExpectToken(body->getValue<std::string>("access_token")).app_id, kApp);
  EXPECT_EQ(AppService("app-service-header-secret", Query("2017-09-01")).status, 400);
}

TEST(LoginConfigTest, ParsesAndValidates) {
  const std::string good = R"({"tls_cert":"c.pem","tls_key":"k.pem","signing_key":"s.pem","signing_cert":"sc.pem",
    "tenants":["6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F"],"clock_offset_seconds":-7200,
    "apps":[{"client_id":"5A1D3C9E0B7F4E2A8C6D1F3B9E7A2C4D","tenant":"6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f","secrets":["x"]}]})";
  auto c = ParseLoginConfig(good, "/etc/vaultsim");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tls_cert, "/etc/vaultsim/c.pem");
  EXPECT_EQ(c->clock_offset_seconds, -7200);
  EXPECT_NE(c->FindApp("5a1d3c9e0b7f4e2a8c6d1f3b9e7a2c4d"), nullptr);
  EXPECT_FALSE(c->managed_identity_enabled);
  EXPECT_FALSE(ParseLoginConfig("[]", "").ok());
  EXPECT_FALSE(ParseLoginConfig(R"({"tls_cert":"c"})", "").ok());
  auto bad_tenant = ParseLoginConfig(
      R"({"tls_cert":"c","tls_key":"k","signing_key":"s","signing_cert":"sc","tenants":["a"],
          "apps":[{"client_id":"b","tenant":"other","secrets":["x"]}]})",
      "");
  ASSERT_FALSE(bad_tenant.ok());
  EXPECT_NE(bad_tenant.status().message().find("unknown tenant"), std::string::npos);
}

}  // namespace
}  // namespace geoekm::vaultsim
