#include "keyvault/identity/token_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/keyvault/identity/fake_token_source.h"

namespace geoekm {
namespace {

const TokenScope kScope{"tenant-1", "https://vault.test"};

class TokenCacheTest : public ::testing::Test {
 protected:
  std::atomic<std::int64_t> now_{1700000000};
  std::shared_ptr<FakeTokenSource> source_ = std::make_shared<FakeTokenSource>(&now_, 3600);
  TokenCache cache_{source_, [this] { return now_.load(); }};
};

TEST_F(TokenCacheTest, SecondGetIsServedFromCache) {
  auto a = cache_.Get(kScope, Deadline::Never());
  auto b = cache_.Get(kScope, Deadline::Never());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(std::string_view(*a), "tok-1");
  EXPECT_EQ(std::string_view(*b), "tok-1");
  EXPECT_EQ(source_->calls(), 1);
  EXPECT_EQ(cache_.stats().fetches, 1u);
}

TEST_F(TokenCacheTest, SixtyFourThreadsCauseOneFetch) {
  source_->Block();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&] {
      auto t = cache_.Get(kScope, Deadline::After(Millis(30000)));
      if (t.ok() && std::string_view(*t) == "tok-1") ++ok;
    });
  }
  source_->WaitUntilFetching();
  // Give the other threads time to pile up behind the blocked fetch; the
  // assertion does not depend on it (late threads hit the cache).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  source_->Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 64);
  EXPECT_EQ(source_->calls(), 1);
}

TEST_F(TokenCacheTest, ScopesHaveSeparateEntries) {
  ASSERT_TRUE(cache_.Get(kScope, Deadline::Never()).ok());
  ASSERT_TRUE(cache_.Get({"tenant-2", "https://vault.test"}, Deadline::Never()).ok());
  ASSERT_TRUE(cache_.Get({"tenant-1", "https://managedhsm.test"}, Deadline::Never()).ok());
  EXPECT_EQ(source_->calls(), 3);
}

TEST_F(TokenCacheTest, RefreshesAheadOfExpiryWhileOthersKeepTheOldToken) {
  ASSERT_TRUE(cache_.Get(kScope, Deadline::Never()).ok());
  now_ += 3600 - 300 + 1;  // inside the refresh-ahead window, token still usable
  source_->Block();
  std::thread refresher([&] {
    auto t = cache_.Get(kScope, Deadline::Never());
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(std::string_view(*t), "tok-2");
  });
  source_->WaitUntilFetching();
  // While the refresh is in flight, others get the still-valid old token at once.
  auto during = cache_.Get(kScope, Deadline::Never());
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(std::string_view(*during), "tok-1");
  source_->Release();
  refresher.join();
  auto after = cache_.Get(kScope, Deadline::Never());
  EXPECT_EQ(std::string_view(*after), "tok-2");
  EXPECT_EQ(source_->calls(), 2);
}

TEST_F(TokenCacheTest, FailedRefreshAheadKeepsServingTheOldToken) {
  ASSERT_TRUE(cache_.Get(kScope, Deadline::Never()).ok());
  now_ += 3600 - 200;
  source_->set_fail(true);
  auto t = cache_.Get(kScope, Deadline::Never());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::string_view(*t), "tok-1");
  // No new attempt for a few seconds: no hammering a failing authority.
  ASSERT_TRUE(cache_.Get(kScope, Deadline::Never()).ok());
  EXPECT_EQ(source_->calls(), 2);
  EXPECT_EQ(cache_.stats().failures, 1u);
}

TEST_F(TokenCacheTest, ExpiredTokenIsNotHandedOut) {
  ASSERT_TRUE(cache_.Get(kScope, Deadline::Never()).ok());
  now_ += 3600;
  source_->set_fail(true);
  auto t = cache_.Get(kScope, Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kTokenFailed);
}

TEST_F(TokenCacheTest, FailureIsSharedWithWaitersNotRetriedByEach) {
  source_->Block();
  source_->set_fail(true);
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      if (!cache_.Get(kScope, Deadline::After(Millis(30000))).ok()) ++failed;
    });
  }
  source_->WaitUntilFetching();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  source_->Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 16);
  EXPECT_EQ(source_->calls(), 1);  // late threads get the cached failure
}

TEST_F(TokenCacheTest, FailedFetchIsAnsweredFromCacheBriefly) {
  source_->set_fail(true);
  EXPECT_FALSE(cache_.Get(kScope, Deadline::Never()).ok());
  EXPECT_FALSE(cache_.Get(kScope, Deadline::Never()).ok());
  EXPECT_EQ(source_->calls(), 1);  // no second request to a refusing authority at once
  now_ += 2;
  source_->set_fail(false);
  auto t = cache_.Get(kScope, Deadline::Never());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(source_->calls(), 2);
}

TEST_F(TokenCacheTest, InvalidateDropsOnlyTheRejectedToken) {
  ASSERT_TRUE(cache_.Get(kScope, Deadline::Never()).ok());
  cache_.Invalidate(kScope, "some-other-token");
  EXPECT_EQ(std::string_view(*cache_.Get(kScope, Deadline::Never())), "tok-1");
  cache_.Invalidate(kScope, "tok-1");
  EXPECT_EQ(std::string_view(*cache_.Get(kScope, Deadline::Never())), "tok-2");
  cache_.Invalidate(kScope, "tok-1");  // a late 401 with the old token: no second refresh
  EXPECT_EQ(std::string_view(*cache_.Get(kScope, Deadline::Never())), "tok-2");
  EXPECT_EQ(source_->calls(), 2);
}

TEST_F(TokenCacheTest, WaiterDoesNotInheritAnotherCallersDeadline) {
  source_->Block();
  source_->FailNext(codes::kDeadlineExceeded);
  std::thread impatient([&] {
    auto t = cache_.Get(kScope, Deadline::Never());
    EXPECT_EQ(t.status().code(), codes::kDeadlineExceeded);
  });
  source_->WaitUntilFetching();
  std::thread patient([&] {
    auto t = cache_.Get(kScope, Deadline::After(Millis(30000)));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(std::string_view(*t), "tok-2");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  source_->Release();
  impatient.join();
  patient.join();
  EXPECT_EQ(source_->calls(), 2);
}

TEST_F(TokenCacheTest, WaiterGivesUpAtItsDeadline) {
  source_->Block();
  std::thread first([&] { (void)cache_.Get(kScope, Deadline::Never()); });
  source_->WaitUntilFetching();
  auto t = cache_.Get(kScope, Deadline::After(Millis(20)));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kDeadlineExceeded);
  source_->Release();
  first.join();
}

}  // namespace
}  // namespace geoekm
