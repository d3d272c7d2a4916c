// Bursts of distinct unwraps while the preferred vault is silent: the
// moment a server fails over (one unwrap per database at once) may be the
// moment a region is lost. Every unwrap must come back through another vault
// well before try_timeout, even though the first attempts of the burst are
// stuck at the silent vault and occupy workers.
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "tests/router/router_fixture.h"

namespace geoekm::testing {
namespace {

using std::chrono::milliseconds;

class BurstTest : public RouterFixture {};

TEST_F(BurstTest, DistinctUnwrapsWithASilentPrimaryAllSucceedQuickly) {
  Build(3, [](RouterOptions& o) {
    o.worker_threads = 8;
    o.tuning.try_timeout = std::chrono::seconds(20);
    o.tuning.hedge_delay_floor = milliseconds(50);
    o.tuning.hedge_delay_cap = milliseconds(50);
  });
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());  // warm v0
  vault(0).SetBlackhole(true);
  constexpr int kCallers = 100;
  const DistinctUnwraps calls = MakeDistinctUnwraps(kCallers);
  const std::vector<SecureBytes>& deks = calls.deks;
  const std::vector<UnwrapRequest>& reqs = calls.requests;
  std::atomic<int> ok{0};
  std::atomic<long long> slowest_ms{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      const auto started = Clock::now();
      auto r = router_->Unwrap(reqs[static_cast<std::size_t>(i)], Deadline::After(std::chrono::seconds(60)));
      const long long took = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
      long long seen = slowest_ms.load();
      while (took > seen && !slowest_ms.compare_exchange_weak(seen, took)) {
      }
      if (r.ok() && *r == deks[static_cast<std::size_t>(i)]) ++ok;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), kCallers);
  // Generous bound, but far below try_timeout (20 s).
  EXPECT_LT(slowest_ms.load(), 5000) << router_->stats().hedges << " hedges";
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
}

// The circuit breaker guards workers, not callers: sixteen callers at a
// healthy primary (four workers, so a cap of two worker attempts per vault)
// all stay on it, as they would with its client alone, instead of half of
// them being sent to a farther region.
TEST_F(BurstTest, ManyCallersStayOnAHealthyPrimaryWhateverTheWorkerCap) {
  Build(2, [](RouterOptions& o) {
    o.worker_threads = 4;
    o.tuning.hedge_delay_floor = std::chrono::seconds(5);  // no hedge: the cap alone decides
    o.tuning.hedge_delay_cap = std::chrono::seconds(5);
  });
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());  // warm v0
  vault(0).SetLatency(FakeOp::kUnwrap, milliseconds(100));  // so the callers overlap
  const int v0_before = vault(0).unwraps();
  const int v1_before = vault(1).unwraps();
  constexpr int kCallers = 16;
  const DistinctUnwraps calls = MakeDistinctUnwraps(kCallers);
  const std::vector<SecureBytes>& deks = calls.deks;
  const std::vector<UnwrapRequest>& reqs = calls.requests;
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      auto r = router_->Unwrap(reqs[static_cast<std::size_t>(i)], Soon());
      if (r.ok() && *r == deks[static_cast<std::size_t>(i)]) ++ok;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), kCallers);
  EXPECT_EQ(vault(0).unwraps() - v0_before, kCallers);
  EXPECT_EQ(vault(1).unwraps() - v1_before, 0);
  EXPECT_EQ(router_->stats().attempts_skipped, 0u);
}

TEST_F(BurstTest, SlowButAnsweringVaultIsNotEjectedForLosingRaces) {
  Build(2, [](RouterOptions& o) {
    o.tuning.consecutive_failures_to_eject = 3;
    o.tuning.hedge_delay_floor = milliseconds(50);
    o.tuning.hedge_delay_cap = milliseconds(50);
  });
  // A cold primary with many versions: its first listing reads each of them
  // (30 ms apiece, newest first; the one asked for is the oldest), answering
  // all the while.
  for (int i = 0; i < 20; ++i) vault(0).AddVersion(kKey, RotatedKey());
  vault(0).SetLatency(FakeOp::kGetKey, milliseconds(30));
  for (int i = 0; i < 4; ++i) {
    const SecureBytes dek = RandomDek();
    auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, dek);
  }
  EXPECT_GE(router_->stats().hedge_wins, 3u);  // v1 answered while v0 was still listing
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kHealthy);
}

TEST_F(BurstTest, ColdStartWithASilentPrimaryAnswersThroughTheSecondary) {
  // No history, so the primary is the material anchor; its silence must not
  // hold up the secondary's first answer.
  Build(2, [](RouterOptions& o) {
    o.tuning.try_timeout = std::chrono::seconds(20);
    o.tuning.hedge_delay_floor = milliseconds(50);
    o.tuning.hedge_delay_cap = milliseconds(50);
  });
  vault(0).SetBlackhole(true);
  const SecureBytes dek = RandomDek();
  const auto started = Clock::now();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Deadline::After(std::chrono::seconds(60)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_LT(took, milliseconds(5000));  // far below try_timeout (20 s)
  EXPECT_NE(router_->HealthOf("v1"), VaultHealthState::kQuarantined);
}

TEST_F(BurstTest, WaitingCallerLeavesAVaultEjectedMeanwhileEvenWithTheHedgeBudgetSpent) {
  Build(2, [](RouterOptions& o) {
    o.tuning.retry_budget_ratio = 0;  // no hedges at all
    o.tuning.retry_budget_min_per_second = 0;
    o.tuning.consecutive_failures_to_eject = 1;
    o.tuning.try_timeout = std::chrono::seconds(30);
    o.tuning.hedge_delay_floor = milliseconds(20);
    o.tuning.hedge_delay_cap = milliseconds(20);
  });
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());  // warm v0
  vault(0).SetLatency(FakeOp::kUnwrap, std::chrono::seconds(30));
  const SecureBytes dek = RandomDek();
  std::optional<Result<SecureBytes>> result;
  milliseconds took{0};
  std::thread caller([&] {
    const auto started = Clock::now();
    result.emplace(router_->Unwrap(Request(WrapLocally(dek)), Deadline::After(std::chrono::seconds(60))));
    took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  });
  while (vault(0).unwraps() < 2) std::this_thread::sleep_for(milliseconds(5));
  std::this_thread::sleep_for(milliseconds(100));  // the hedge was due and refused
  // Another operation finds v0 failing and ejects it.
  vault(0).Fail(FakeOp::kGetKey, VaultFailure(ErrorClass::kTransient));
  clock_.Advance(std::chrono::seconds(60));  // current version and listing caches are stale
  (void)router_->CurrentVersion(kKey, Soon());
  ASSERT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
  caller.join();
  ASSERT_TRUE(result.has_value() && result->ok()) << result->status().ToString();
  EXPECT_EQ(**result, dek);
  EXPECT_LT(took, milliseconds(10000));  // far below v0's 30 s
  EXPECT_EQ(router_->stats().hedges, 0u);
  EXPECT_GE(router_->stats().hedges_refused, 1u);
}

}  // namespace
}  // namespace geoekm::testing
