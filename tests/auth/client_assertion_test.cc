#include "vault_router/auth/client_assertion.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <fstream>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "tests/auth/test_certificate.h"
#include "vault_router/auth/client_certificate_source.h"

namespace geoekm {
namespace {

struct DecodedJwt {
  Poco::JSON::Object::Ptr header;
  Poco::JSON::Object::Ptr claims;
  std::string signing_input;
  Bytes signature;
};

DecodedJwt Decode(std::string_view jwt) {
  DecodedJwt out;
  auto dot1 = jwt.find('.');
  auto dot2 = jwt.find('.', dot1 + 1);
  EXPECT_NE(dot2, std::string_view::npos);
  auto part = [&](std::string_view b64) {
    auto bytes = Base64UrlDecode(b64);
    EXPECT_TRUE(bytes.ok());
    std::string json(bytes->begin(), bytes->end());
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  };
  out.header = part(jwt.substr(0, dot1));
  out.claims = part(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  out.signing_input = std::string(jwt.substr(0, dot2));
  out.signature = Base64UrlDecode(jwt.substr(dot2 + 1)).value();
  return out;
}

bool VerifyRs256WithCertificate(const Bytes& der, const std::string& input, const Bytes& signature) {
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  EVP_PKEY* pub = X509_get_pubkey(cert);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
            EVP_DigestVerify(ctx, signature.data(), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  X509_free(cert);
  return ok;
}

class ClientAssertionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cert_ = new TestCertificate(); }
  static void TearDownTestSuite() { delete cert_; }
  static TestCertificate* cert_;
};
TestCertificate* ClientAssertionTest::cert_ = nullptr;

void ExpectValidAssertion(const ClientCertificate& c, const Bytes& der) {
  const std::string aud = "https://login.test/tenant-1/oauth2/v2.0/token";
  auto jwt = c.Assertion(aud, "client-123", 1700000000);
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  DecodedJwt d = Decode(std::string_view(jwt.value()));
  EXPECT_EQ(d.header->getValue<std::string>("alg"), "RS256");
  EXPECT_EQ(d.header->getValue<std::string>("typ"), "JWT");
  unsigned char sha1[SHA_DIGEST_LENGTH];
  SHA1(der.data(), der.size(), sha1);
  unsigned char sha256[SHA256_DIGEST_LENGTH];
  SHA256(der.data(), der.size(), sha256);
  EXPECT_EQ(d.header->getValue<std::string>("x5t"), Base64UrlEncode(sha1, sizeof(sha1)));
  EXPECT_EQ(d.header->getValue<std::string>("x5t#S256"), Base64UrlEncode(sha256, sizeof(sha256)));
  EXPECT_EQ(d.claims->getValue<std::string>("aud"), aud);
  EXPECT_EQ(d.claims->getValue<std::string>("iss"), "client-123");
  EXPECT_EQ(d.claims->getValue<std::string>("sub"), "client-123");
  EXPECT_EQ(d.claims->getValue<std::string>("jti").size(), 36u);  // GUID text
  EXPECT_EQ(d.claims->getValue<Poco::Int64>("nbf"), 1700000000);
  EXPECT_EQ(d.claims->getValue<Poco::Int64>("exp"), 1700000600);
  EXPECT_TRUE(VerifyRs256WithCertificate(der, d.signing_input, d.signature));
  // A tampered claim must not verify: the test would catch a signature over the wrong bytes.
  EXPECT_FALSE(VerifyRs256WithCertificate(der, d.signing_input + "x", d.signature));
}

TEST_F(ClientAssertionTest, CombinedPem) {
  auto c = ClientCertificate::Load(cert_->combined_pem, "", "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ExpectValidAssertion(*c.value(), cert_->der);
}

TEST_F(ClientAssertionTest, SeparateKeyFile) {
  auto c = ClientCertificate::Load(cert_->cert_pem, cert_->key_pem, "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ExpectValidAssertion(*c.value(), cert_->der);
}

TEST_F(ClientAssertionTest, PfxWithPasswordFile) {
  auto c = ClientCertificate::Load(cert_->pfx, "", cert_->password_file);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ExpectValidAssertion(*c.value(), cert_->der);
}

TEST_F(ClientAssertionTest, JtiIsFreshEachTime) {
  auto c = ClientCertificate::Load(cert_->combined_pem, "", "").value();
  auto a = Decode(std::string_view(c->Assertion("aud", "cid", 1).value()));
  auto b = Decode(std::string_view(c->Assertion("aud", "cid", 1).value()));
  EXPECT_NE(a.claims->getValue<std::string>("jti"), b.claims->getValue<std::string>("jti"));
}

TEST_F(ClientAssertionTest, WrongPfxPasswordIs3809) {
  std::string wrong = cert_->dir + "/wrong.pass";
  std::ofstream(wrong) << "not-the-password";
  auto c = ClientCertificate::Load(cert_->pfx, "", wrong);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), codes::kPfxImport);
  EXPECT_EQ(c.status().message().find("not-the-password"), std::string::npos);
}

TEST_F(ClientAssertionTest, PemWithoutKeyIs3816) {
  auto c = ClientCertificate::Load(cert_->cert_pem, "", "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), codes::kPemPrivateKey);
}

TEST_F(ClientAssertionTest, KeyOfAnotherCertificateIs3816) {
  TestCertificate other;
  auto c = ClientCertificate::Load(cert_->cert_pem, other.key_pem, "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), codes::kPemPrivateKey);
}

TEST_F(ClientAssertionTest, SourceSendsAssertionForm) {
  auto c = ClientCertificate::Load(cert_->combined_pem, "", "").value();
  AuthConfig auth;
  auth.authority_host = "https://login.test";
  HttpRequest seen;
  ClientCertificateSource source(TokenEndpoint::FromConfig(auth).value(), "client-123", c,
                                 [&](const HttpRequest& r, Deadline) -> Result<HttpResponse> {
                                   seen = r;
                                   HttpResponse res;
                                   res.status = 200;
                                   res.body = R"({"access_token":"at","expires_in":3600})";
                                   return res;
                                 });
  ASSERT_TRUE(source.Fetch({"tenant-1", "https://vault.test"}, Deadline::Never()).ok());
  Poco::URI uri("http://x/?" + seen.body);
  std::map<std::string, std::string> form;
  for (const auto& [k, v] : uri.getQueryParameters()) form[k] = v;
  EXPECT_EQ(form["client_assertion_type"], "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  EXPECT_EQ(form["client_id"], "client-123");
  EXPECT_EQ(form["scope"], "https://vault.test/.default");
  EXPECT_EQ(form.count("client_secret"), 0u);
  DecodedJwt d = Decode(form["client_assertion"]);
  EXPECT_EQ(d.claims->getValue<std::string>("aud"), "https://login.test/tenant-1/oauth2/v2.0/token");
  EXPECT_TRUE(VerifyRs256WithCertificate(cert_->der, d.signing_input, d.signature));
}

}  // namespace
}  // namespace geoekm
