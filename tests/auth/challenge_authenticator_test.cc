#include "vault_router/auth/challenge_authenticator.h"

#include <gtest/gtest.h>

#include "tests/auth/fake_token_source.h"

namespace geoekm {
namespace {

constexpr char kChallenge[] =
    R"(Bearer authorization="https://login.microsoftonline.com/tenant-a", resource="https://vault.test")";

class ChallengeAuthenticatorTest : public ::testing::Test {
 protected:
  std::atomic<std::int64_t> now_{1700000000};
  std::shared_ptr<FakeTokenSource> source_ = std::make_shared<FakeTokenSource>(&now_);
  ChallengeAuthenticator auth_{std::make_shared<TokenCache>(source_, [this] { return now_.load(); })};
};

TEST_F(ChallengeAuthenticatorTest, NoTokenBeforeAChallenge) {
  auto t = auth_.CachedOrFreshToken("kv1.vault.test", Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().error_class(), ErrorClass::kAuth);
  EXPECT_EQ(t.status().message().rfind("no challenge", 0), 0u);
  EXPECT_EQ(source_->calls(), 0);
}

TEST_F(ChallengeAuthenticatorTest, AcceptedChallengeFetchesForItsTenantAndResource) {
  auto t = auth_.OnChallenge("kv1.vault.test", kChallenge, "", Deadline::Never());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::string_view(*t), "tok-1");
  EXPECT_EQ(source_->last_scope(), (TokenScope{"tenant-a", "https://vault.test"}));
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

TEST_F(ChallengeAuthenticatorTest, ChallengeTenantIsUsed) {
  ASSERT_TRUE(auth_.OnChallenge("kv1.vault.test",
                                R"(Bearer authorization="https://login.x/tenant-b", resource="https://vault.test")", "",
                                Deadline::Never())
                  .ok());
  EXPECT_EQ(source_->last_scope().tenant, "tenant-b");
}

}  // namespace
}  // namespace geoekm
