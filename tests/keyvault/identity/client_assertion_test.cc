#include "keyvault/identity/client_assertion.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/URI.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <fstream>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "tests/keyvault/identity/jwt_inspection.h"
#include "tests/keyvault/identity/test_certificate.h"
#include "keyvault/identity/client_certificate_source.h"

namespace geoekm {
namespace {

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
  DecodedJwt d = DecodeJwt(std::string_view(jwt.value()));
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
  EXPECT_TRUE(VerifyRs256(der, d.signing_input, d.signature));
  // A tampered claim must not verify: the test would catch a signature over the wrong bytes.
  EXPECT_FALSE(VerifyRs256(der, d.signing_input + "x", d.signature));
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

TEST_F(ClientAssertionTest, EncryptedPemKeyWithPasswordFile) {
  auto c = ClientCertificate::Load(cert_->cert_pem, cert_->encrypted_key_pem, cert_->password_file);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ExpectValidAssertion(*c.value(), cert_->der);
  auto no_password = ClientCertificate::Load(cert_->cert_pem, cert_->encrypted_key_pem, "");
  ASSERT_FALSE(no_password.ok());
  EXPECT_EQ(no_password.status().code(), codes::kPemPrivateKey);
}

TEST_F(ClientAssertionTest, PfxWithPasswordFile) {
  auto c = ClientCertificate::Load(cert_->pfx, "", cert_->password_file);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ExpectValidAssertion(*c.value(), cert_->der);
}

TEST_F(ClientAssertionTest, JtiIsFreshEachTime) {
  auto c = ClientCertificate::Load(cert_->combined_pem, "", "").value();
  auto a = DecodeJwt(std::string_view(c->Assertion("aud", "cid", 1).value()));
  auto b = DecodeJwt(std::string_view(c->Assertion("aud", "cid", 1).value()));
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
  CredentialOptions auth;
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
  DecodedJwt d = DecodeJwt(form["client_assertion"]);
  EXPECT_EQ(d.claims->getValue<std::string>("aud"), "https://login.test/tenant-1/oauth2/v2.0/token");
  EXPECT_TRUE(VerifyRs256(cert_->der, d.signing_input, d.signature));
}

}  // namespace
}  // namespace geoekm
