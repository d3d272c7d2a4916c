#include "keyvault/identity/bearer_challenge.h"

#include <gtest/gtest.h>

#include "core/error_codes.h"

namespace geoekm {
namespace {

TEST(BearerChallengeTest, ParsesVaultChallengeFromRecordings) {
  auto c = ParseBearerChallenge(
      R"(Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net")");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tenant, "72f988bf-86f1-41af-91ab-2d7cd011db47");
  EXPECT_EQ(c->resource, "https://vault.azure.net");
  EXPECT_EQ(c->resource_host, "vault.azure.net");
  EXPECT_EQ(c->scope(), "https://vault.azure.net/.default");
  EXPECT_EQ(c->authority, "https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47");
}

TEST(BearerChallengeTest, ParsesManagedHsmLowercaseChallenge) {
  auto c = ParseBearerChallenge(
      R"(Bearer authorization="https://login.microsoftonline.com/tenant-1", resource="https://managedhsm.azure.net")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tenant, "tenant-1");
  EXPECT_EQ(c->resource_host, "managedhsm.azure.net");
}

TEST(BearerChallengeTest, SchemeAndParameterNamesAreCaseInsensitive) {
  auto c = ParseBearerChallenge(R"(bearer AUTHORIZATION="https://login.x/T1", Resource="https://vault.azure.net")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tenant, "T1");
  EXPECT_EQ(c->resource, "https://vault.azure.net");
}

TEST(BearerChallengeTest, ScopeFormDropsDefaultSuffix) {
  auto c = ParseBearerChallenge(
      R"(Bearer authorization="https://login.windows.net/OriginalTenantId", scope="https://test.vault.azure.net/.default")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tenant, "OriginalTenantId");
  EXPECT_EQ(c->resource, "https://test.vault.azure.net");
  EXPECT_EQ(c->scope(), "https://test.vault.azure.net/.default");
}

TEST(BearerChallengeTest, AuthorizationUriFormWithTrailingSlash) {
  auto c = ParseBearerChallenge(
      R"(Bearer authorization_uri="https://login.windows.net/NewTenantId/", scope="https://test.vault.azure.net/.default")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tenant, "NewTenantId");
}

TEST(BearerChallengeTest, ToleratesOddSpacingMissingCommasAndBareValues) {
  for (const char* header : {
           R"(   Bearer    authorization = "https://login.x/T2"   resource="https://vault.azure.net/"  )",
           R"(Bearer authorization=https://login.x/T2,resource=https://vault.azure.net)",
           R"(Bearer authorization="https://login.x/T2",,, resource = https://vault.azure.net)",
           "Bearer\tauthorization=\"https://login.x/T2\",\tresource=\"https://vault.azure.net\"",
       }) {
    auto c = ParseBearerChallenge(header);
    ASSERT_TRUE(c.ok()) << header << ": " << c.status().ToString();
    EXPECT_EQ(c->tenant, "T2") << header;
    EXPECT_EQ(c->resource, "https://vault.azure.net") << header;
  }
}

TEST(BearerChallengeTest, FindsBearerAmongOtherChallenges) {
  auto c = ParseBearerChallenge(
      R"(Basic realm="x", Bearer realm="", authorization_uri="https://login.x/T3", resource="https://vault.azure.net")");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tenant, "T3");
}

TEST(BearerChallengeTest, MalformedChallengesAre3203) {
  for (const char* header : {
           "",
           "Basic realm=\"x\"",
           R"(Bearer resource="https://vault.azure.net")",                           // no authority
           R"(Bearer authorization="https://login.x/", resource="https://vault.azure.net")",  // no tenant
           R"(Bearer authorization="https://login.x/T")",                          // no resource
           R"(Bearer authorization="https://login.x/T", resource="http://vault.azure.net")",  // not https
           R"(Bearer authorization="https://login.x/T", resource="vault.azure.net")",
       }) {
    auto c = ParseBearerChallenge(header);
    ASSERT_FALSE(c.ok()) << header;
    EXPECT_EQ(c.status().code(), codes::kChallengeMalformed) << header;
    EXPECT_EQ(c.status().error_class(), ErrorClass::kAuth);
  }
}

BearerChallenge ChallengeWithResource(const std::string& resource) {
  auto c = ParseBearerChallenge("Bearer authorization=\"https://login.x/T\", resource=\"" + resource + "\"");
  EXPECT_TRUE(c.ok());
  return c.value();
}

TEST(ChallengeDomainTest, AcceptsHostsUnderTheResourceDomain) {
  BearerChallenge c = ChallengeWithResource("https://vault.test");
  EXPECT_TRUE(VerifyChallengeDomain("myvault.vault.test", c).ok());
  EXPECT_TRUE(VerifyChallengeDomain("MyVault.Vault.Test", c).ok());
  EXPECT_TRUE(VerifyChallengeDomain("a.b.vault.test:8443", c).ok());
  EXPECT_TRUE(VerifyChallengeDomain("vault.test", c).ok());
  EXPECT_TRUE(VerifyChallengeDomain("myvault.vault.test.", c).ok());
  EXPECT_TRUE(VerifyChallengeDomain("hsm1.managedhsm.azure.net", ChallengeWithResource("https://managedhsm.azure.net")).ok());
}

TEST(ChallengeDomainTest, RejectsLookalikeHostsWith5004) {
  BearerChallenge c = ChallengeWithResource("https://vault.test");
  for (const char* host : {"evil-vault.test", "vault.test.evil.com", "xvault.test", "test", "evil.com", ""}) {
    Status s = VerifyChallengeDomain(host, c);
    ASSERT_FALSE(s.ok()) << host;
    EXPECT_EQ(s.code(), codes::kChallengeDomainMismatch) << host;
    EXPECT_EQ(s.error_class(), ErrorClass::kAuth);
  }
  // Resource with a port or path: only the host counts.
  EXPECT_TRUE(VerifyChallengeDomain("kv.vault.test", ChallengeWithResource("https://vault.test:443/")).ok());
}

}  // namespace
}  // namespace geoekm
