#include "keyvault/identity/challenge_authenticator.h"

#include <gtest/gtest.h>

#include "core/error_codes.h"
#include "tests/keyvault/identity/fake_token_source.h"

namespace geoekm {
namespace {

constexpr char kTenant[] = "tenant-a.onmicrosoft.com";
constexpr char kChallenge[] =
    R"(Bearer authorization="https://login.microsoftonline.com/tenant-a.onmicrosoft.com", resource="https://vault.test")";

std::string ChallengeHeaderFor(const std::string& tenant) {
  return R"(Bearer authorization="https://login.x/)" + tenant + R"(", resource="https://vault.test")";
}

class ChallengeAuthenticatorTest : public ::testing::Test {
 protected:
  std::atomic<std::int64_t> now_{1700000000};
  std::shared_ptr<FakeTokenSource> source_ = std::make_shared<FakeTokenSource>(&now_);
  std::shared_ptr<TokenCache> cache_ = std::make_shared<TokenCache>(source_, [this] { return now_.load(); });
  ChallengeAuthenticator auth_{cache_, TenantPolicy(kTenant, {})};
};

TEST_F(ChallengeAuthenticatorTest, NoTokenBeforeAChallenge) {
  auto t = auth_.CachedOrFreshToken("kv1.vault.test", Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().error_class(), ErrorClass::kAuth);
  EXPECT_FALSE(auth_.Challenged("kv1.vault.test"));
  EXPECT_EQ(source_->calls(), 0);
}

TEST_F(ChallengeAuthenticatorTest, AcceptedChallengeFetchesForItsTenantAndResource) {
  auto t = auth_.OnChallenge("kv1.vault.test", kChallenge, "", Deadline::Never());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::string_view(*t), "tok-1");
  EXPECT_EQ(source_->last_scope(), (TokenScope{kTenant, "https://vault.test"}));
  EXPECT_TRUE(auth_.Challenged("KV1.vault.test"));
  // Second vault of the same set, same resource: the same cached token.
  ASSERT_TRUE(auth_.OnChallenge("kv2.vault.test", kChallenge, "", Deadline::Never()).ok());
  auto again = auth_.CachedOrFreshToken("KV2.vault.test", Deadline::Never());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::string_view(*again), "tok-1");
  EXPECT_EQ(source_->calls(), 1);
  EXPECT_EQ(auth_.stats().challenges_accepted, 2u);
  EXPECT_EQ(auth_.stats().token_fetches, 1u);
}

TEST_F(ChallengeAuthenticatorTest, DomainMismatchFetchesNothingAndRemembersNothing) {
  auto t = auth_.OnChallenge("evil-vault.test", kChallenge, "", Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kChallengeDomainMismatch);
  EXPECT_EQ(source_->calls(), 0);
  EXPECT_FALSE(auth_.CachedOrFreshToken("evil-vault.test", Deadline::Never()).ok());
  EXPECT_EQ(auth_.stats().challenges_refused, 1u);
}

TEST_F(ChallengeAuthenticatorTest, MalformedChallengeIs3203) {
  auto t = auth_.OnChallenge("kv1.vault.test", "Bearer realm=\"\"", "", Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kChallengeMalformed);
  EXPECT_EQ(source_->calls(), 0);
}

TEST_F(ChallengeAuthenticatorTest, RejectedCachedTokenIsRefreshedOnce) {
  ASSERT_TRUE(auth_.OnChallenge("kv1.vault.test", kChallenge, "", Deadline::Never()).ok());
  auto fresh = auth_.OnChallenge("kv1.vault.test", kChallenge, "tok-1", Deadline::Never());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(std::string_view(*fresh), "tok-2");
  // Another thread's 401 with the same old token: it gets tok-2, no third fetch.
  auto other = auth_.OnChallenge("kv2.vault.test", kChallenge, "tok-1", Deadline::Never());
  EXPECT_EQ(std::string_view(*other), "tok-2");
  EXPECT_EQ(source_->calls(), 2);
}

// The challenge is the vault's word: it may not choose the tenant the
// credential is sent for.
TEST_F(ChallengeAuthenticatorTest, AnotherTenantIsRefusedUnlessAllowed) {
  auto other = auth_.OnChallenge("kv1.vault.test", ChallengeHeaderFor("00000000-0000-0000-0000-0000000000bb"), "",
                                 Deadline::Never());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), codes::kChallengeTenantNotAllowed) << other.status().ToString();
  EXPECT_EQ(other.status().error_class(), ErrorClass::kAuth);
  EXPECT_NE(other.status().message().find("additionally_allowed_tenants"), std::string::npos);
  EXPECT_EQ(source_->calls(), 0);
  EXPECT_FALSE(auth_.Challenged("kv1.vault.test"));
  EXPECT_EQ(auth_.stats().challenges_refused, 1u);

  // The configured tenant in another case is the configured tenant.
  ASSERT_TRUE(auth_.OnChallenge("kv1.vault.test", ChallengeHeaderFor("TENANT-A.onmicrosoft.com"), "", Deadline::Never()).ok());
  EXPECT_EQ(source_->last_scope().tenant, kTenant);

  ChallengeAuthenticator allowing(cache_, TenantPolicy(kTenant, {"00000000-0000-0000-0000-0000000000bb"}));
  ASSERT_TRUE(allowing.OnChallenge("kv2.vault.test", ChallengeHeaderFor("00000000-0000-0000-0000-0000000000bb"), "",
                                   Deadline::Never())
                  .ok());
  EXPECT_EQ(source_->last_scope().tenant, "00000000-0000-0000-0000-0000000000bb");
  EXPECT_FALSE(allowing.OnChallenge("kv2.vault.test", ChallengeHeaderFor("other.example.com"), "", Deadline::Never()).ok());

  ChallengeAuthenticator any(cache_, TenantPolicy(kTenant, {"*"}));
  ASSERT_TRUE(any.OnChallenge("kv3.vault.test", ChallengeHeaderFor("other.example.com"), "", Deadline::Never()).ok());
  EXPECT_EQ(source_->last_scope().tenant, "other.example.com");
}

// A tenant that is not a tenant id would change the token URL's path
// ("%2e%2e" is ".." once decoded): refused even when any tenant is allowed.
TEST_F(ChallengeAuthenticatorTest, TenantThatIsNotATenantIdIsRefused) {
  ChallengeAuthenticator any(cache_, TenantPolicy(kTenant, {"*"}));
  for (const std::string tenant : {"%2e%2e", "..", "a%2fb", "x y", "common"}) {
    auto t = any.OnChallenge("kv1.vault.test", ChallengeHeaderFor(tenant), "", Deadline::Never());
    ASSERT_FALSE(t.ok()) << tenant;
    EXPECT_EQ(t.status().code(), codes::kChallengeMalformed) << tenant << ": " << t.status().ToString();
  }
  EXPECT_EQ(source_->calls(), 0);
}

}  // namespace
}  // namespace geoekm
