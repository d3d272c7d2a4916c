// Bursts of distinct unwraps while the preferred vault is silent: the
// moment a server fails over (one unwrap per database at once) may be the
// moment a region is lost. Every unwrap must come back through another vault
// well before try_timeout, even though the first attempts of the burst are
// stuck at the silent vault and occupy workers.
#include <atomic>
#include <thread>

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
  std::vector<SecureBytes> deks;
  std::vector<UnwrapRequest> reqs;
  for (int i = 0; i < kCallers; ++i) {
    deks.push_back(RandomDek());
    reqs.push_back(Request(WrapLocally(deks.back())));
  }
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

}  // namespace
}  // namespace geoekm::testing
