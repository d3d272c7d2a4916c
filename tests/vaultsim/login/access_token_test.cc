// Unit tests of vaultsim's access tokens: round trip, the claims Entra ID
// puts in them, and every way a forged or stale token must be refused.
#include "vaultsim/access_token.h"

#include <Poco/Crypto/RSAKey.h>
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/TemporaryFile.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/base64url.h"

namespace geoekm::vaultsim {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

class AccessTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = new Poco::Crypto::RSAKey(Poco::Crypto::RSAKey::KL_2048, Poco::Crypto::RSAKey::EXP_LARGE);
    key_->save(pub_.path(), priv_.path());
    auto issuer = AccessTokenIssuer::FromKeyFile(priv_.path());
    ASSERT_TRUE(issuer.ok()) << issuer.status().ToString();
    issuer_ = std::move(issuer).value();
    auto verifier = AccessTokenVerifier::FromFile(pub_.path());
    ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
    verifier_ = std::move(verifier).value();
  }

  static AccessTokenClaims Claims() {
    AccessTokenClaims c;
    c.tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    c.audience = "https://vault.test";
    c.app_id = "0123456789abcdef0123456789abcdef";
    c.issuer = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";
    c.issued_at = kNow;
    c.not_before = kNow;
    c.expires = kNow + 3600;
    return c;
  }

  std::string Issue(const AccessTokenClaims& c) {
    auto t = issuer_->Issue(c);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : std::string();
  }

  Poco::TemporaryFile pub_, priv_;
  Poco::SharedPtr<Poco::Crypto::RSAKey> key_;
  std::unique_ptr<AccessTokenIssuer> issuer_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
};

TEST_F(AccessTokenTest, RoundTripKeepsClaims) {
  auto got = verifier_->Verify(Issue(Claims()), kNow + 10);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->tenant, Claims().tenant);
  EXPECT_EQ(got->audience, "https://vault.test");
  EXPECT_EQ(got->app_id, Claims().app_id);
  EXPECT_EQ(got->issuer, Claims().issuer);
  EXPECT_EQ(got->issued_at, kNow);
  EXPECT_EQ(got->not_before, kNow);
  EXPECT_EQ(got->expires, kNow + 3600);
}

TEST_F(AccessTokenTest, ShapedLikeEntraIdToken) {
  const std::string jwt = Issue(Claims());
  const auto first = jwt.find('.');
  const auto second = jwt.find('.', first + 1);
  ASSERT_NE(second, std::string::npos);
  auto header = Base64UrlDecode(jwt.substr(0, first));
  auto payload = Base64UrlDecode(jwt.substr(first + 1, second - first - 1));
  ASSERT_TRUE(header.ok() && payload.ok());
  Poco::JSON::Parser parser;
  auto h = parser.parse(std::string(header->begin(), header->end())).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(h->getValue<std::string>("alg"), "RS256");
  EXPECT_EQ(h->getValue<std::string>("typ"), "JWT");
  auto p = parser.parse(std::string(payload->begin(), payload->end())).extract<Poco::JSON::Object::Ptr>();
  for (const char* claim : {"iss", "aud", "tid", "appid", "oid", "iat", "nbf", "exp", "ver"}) {
    EXPECT_TRUE(p->has(claim)) << claim;
  }
  EXPECT_EQ(p->getValue<std::int64_t>("exp"), kNow + 3600);
}

TEST_F(AccessTokenTest, ExpiredTokenSaysExpired) {
  auto got = verifier_->Verify(Issue(Claims()), kNow + 3600 + 60);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().error_class(), ErrorClass::kAuth);
  EXPECT_NE(got.status().message().find("expired"), std::string::npos) << got.status().message();
}

TEST_F(AccessTokenTest, SmallSkewTolerated) {
  EXPECT_TRUE(verifier_->Verify(Issue(Claims()), kNow + 3600 + 1).ok());
  EXPECT_TRUE(verifier_->Verify(Issue(Claims()), kNow - 1).ok());
}

TEST_F(AccessTokenTest, NotYetValidRejected) {
  auto got = verifier_->Verify(Issue(Claims()), kNow - 600);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("not valid before"), std::string::npos);
}

TEST_F(AccessTokenTest, TamperedPayloadRejected) {
  std::string jwt = Issue(Claims());
  const auto first = jwt.find('.');
  const auto second = jwt.find('.', first + 1);
  auto other = Claims();
  other.app_id = "ffffffffffffffffffffffffffffffff";
  const std::string forged = Issue(other);
  const auto f1 = forged.find('.');
  const auto f2 = forged.find('.', f1 + 1);
  // Forged payload with the original signature.
  jwt = jwt.substr(0, first + 1) + forged.substr(f1 + 1, f2 - f1 - 1) + jwt.substr(second);
  EXPECT_FALSE(verifier_->Verify(jwt, kNow).ok());
}

TEST_F(AccessTokenTest, OtherSigningKeyRejected) {
  Poco::TemporaryFile pub2, priv2;
  Poco::Crypto::RSAKey other(Poco::Crypto::RSAKey::KL_2048, Poco::Crypto::RSAKey::EXP_LARGE);
  other.save(pub2.path(), priv2.path());
  auto issuer2 = AccessTokenIssuer::FromKeyFile(priv2.path());
  ASSERT_TRUE(issuer2.ok());
  auto jwt = (*issuer2)->Issue(Claims());
  ASSERT_TRUE(jwt.ok());
  EXPECT_FALSE(verifier_->Verify(*jwt, kNow).ok());
}

TEST_F(AccessTokenTest, AlgNoneRejected) {
  const std::string header = Base64UrlEncode(std::string(R"({"alg":"none","typ":"JWT"})"));
  std::string jwt = Issue(Claims());
  const auto first = jwt.find('.');
  const auto second = jwt.find('.', first + 1);
  const std::string unsigned_jwt = header + jwt.substr(first, second - first) + ".";
  EXPECT_FALSE(verifier_->Verify(unsigned_jwt, kNow).ok());
}

TEST_F(AccessTokenTest, Hs256KeyedWithPublicKeyRejected) {
  // The classic algorithm-confusion forgery: HMAC with the public key PEM.
  std::ifstream in(pub_.path());
  std::ostringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  Poco::JWT::Token token;
  token.setType("JWT");
  token.setIssuer(Claims().issuer);
  token.setAudience("https://vault.test");
  token.setIssuedAt(Poco::Timestamp::fromEpochTime(kNow));
  token.setNotBefore(Poco::Timestamp::fromEpochTime(kNow));
  token.setExpiration(Poco::Timestamp::fromEpochTime(kNow + 3600));
  Poco::JWT::Signer hmac(pem);
  const std::string jwt = hmac.sign(token, Poco::JWT::Signer::ALGO_HS256);
  auto got = verifier_->Verify(jwt, kNow);
  EXPECT_FALSE(got.ok());
}

TEST_F(AccessTokenTest, GarbageRejectedWithoutThrowing) {
  EXPECT_FALSE(verifier_->Verify("", kNow).ok());
  EXPECT_FALSE(verifier_->Verify("a.b.c", kNow).ok());
  EXPECT_FALSE(verifier_->Verify("not a jwt", kNow).ok());
}

TEST_F(AccessTokenTest, MissingKeyFileIsAnError) {
  EXPECT_FALSE(AccessTokenIssuer::FromKeyFile("/nonexistent/key.pem").ok());
  EXPECT_FALSE(AccessTokenVerifier::FromFile("/nonexistent/cert.pem").ok());
}

}  // namespace
}  // namespace geoekm::vaultsim
