// Unwrap through the router: failover per failure class, request-level
// failures, hedging, coalescing, throttling, deadlines, abandoned attempts.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "core/error_codes.h"
#include "tests/router/router_fixture.h"

namespace geoekm::testing {
namespace {

using std::chrono::milliseconds;

class UnwrapTest : public RouterFixture {};

TEST_F(UnwrapTest, HealthyPrimaryServesAlone) {
  Build(3);
  const SecureBytes dek = RandomDek();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_EQ(vault(0).unwraps(), 1);
  EXPECT_EQ(vault(1).unwraps(), 0);
  EXPECT_EQ(vault(2).unwraps(), 0);
}

class FailoverByClass : public RouterFixture, public ::testing::WithParamInterface<ErrorClass> {};

TEST_P(FailoverByClass, NextVaultAnswers) {
  Build(2, [](RouterOptions& o) { o.tuning.hedging_enabled = false; });
  vault(0).Fail(FakeOp::kUnwrap, VaultFailure(GetParam()));
  const SecureBytes dek = RandomDek();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_EQ(vault(0).unwraps(), 1);
  EXPECT_EQ(vault(1).unwraps(), 1);
  EXPECT_EQ(router_->stats().failovers, 1u);
}

INSTANTIATE_TEST_SUITE_P(VaultLevelClasses, FailoverByClass,
                         ::testing::Values(ErrorClass::kTransient, ErrorClass::kThrottled, ErrorClass::kAuth,
                                           ErrorClass::kForbidden, ErrorClass::kNotFound),
                         [](const auto& param_info) {
                           std::string name(ErrorClassName(param_info.param));
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

TEST_F(UnwrapTest, VersionMissingInPrimaryFailsOverAndIsReported) {
  Build(2, [](RouterOptions& o) { o.tuning.hedging_enabled = false; });
  vault(0).RemoveVersion(kKey, version(0));
  vault(0).AddVersion(kKey, RotatedKey());  // primary holds the key (a newer version), but not this version
  vault(1).AddVersion(kKey, RotatedKey());
  const SecureBytes dek = RandomDek();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_EQ(vault(0).unwraps(), 0);  // it was never asked for a version it does not hold
  EXPECT_EQ(vault(1).unwraps(), 1);
  bool reported = false;
  for (const auto& e : events_->copies())
    reported |= e.vault == "v0" && e.finding == KeyCopyFinding::kMissing && e.thumbprint == GoodKey()->Thumbprint();
  EXPECT_TRUE(reported);
}

TEST_F(UnwrapTest, BadCiphertextIsNotRetriedElsewhere) {
  Build(3);
  Bytes garbage(256, 0x5a);
  auto r = router_->Unwrap(Request(garbage), Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().error_class(), ErrorClass::kBadRequest);
  EXPECT_EQ(r.status().code(), codes::kHttpClientError);
  EXPECT_EQ(vault(0).unwraps(), 1);
  EXPECT_EQ(vault(1).unwraps(), 0);
  EXPECT_EQ(vault(2).unwraps(), 0);
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kHealthy);  // the vault answered
}

TEST_F(UnwrapTest, InvalidArgumentsChangeNothing) {
  Build(2);
  UnwrapRequest r = Request(WrapLocally(RandomDek()));
  r.thumbprint.clear();
  auto a = router_->Unwrap(r, Soon());
  EXPECT_EQ(a.status().code(), codes::kInvalidArgument);
  r = Request({});
  auto b = router_->Unwrap(r, Soon());
  EXPECT_EQ(b.status().code(), codes::kInvalidArgument);
  EXPECT_EQ(router_->stats().vault_calls, 0u);
}

TEST_F(UnwrapTest, SlowPrimaryIsHedgedToSecondary) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedge_delay_floor = milliseconds(30);
    o.tuning.hedge_delay_cap = milliseconds(30);
  });
  // Warm the primary's catalog so the hedge races the unwrap itself.
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  vault(0).SetLatency(FakeOp::kUnwrap, milliseconds(5000));
  const SecureBytes dek = RandomDek();
  const auto started = Clock::now();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_LT(took, milliseconds(3000));  // generous: far below the primary's 5 s
  EXPECT_EQ(vault(0).unwraps(), 2);
  EXPECT_EQ(vault(1).unwraps(), 1);
  const RouterStats s = router_->stats();
  EXPECT_EQ(s.hedges, 1u);
  EXPECT_EQ(s.hedge_wins, 1u);
}

TEST_F(UnwrapTest, BlackholedPrimaryAnswersWithinHedgeDelayPlusOneRoundTrip) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedge_delay_floor = milliseconds(100);
    o.tuning.hedge_delay_cap = milliseconds(100);
  });
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  vault(0).SetBlackhole(true);
  const SecureBytes dek = RandomDek();
  const auto started = Clock::now();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_LT(took, milliseconds(2000));  // hedge delay 100 ms + a fake round trip, with a generous margin
}

// A router that has measured nothing yet (cold start) must not wait the
// hedge cap for a silent primary: its first hedge delay is seeded from
// expected_rtt_ms (defaults: 50 ms x 2 x factor 2 = 200 ms), not the 1 s cap.
TEST_F(UnwrapTest, ColdRouterEscapesBlackholedPrimaryWellBeforeTheHedgeCap) {
  Build(2, [](RouterOptions& o) { o.tuning = RouterTuning{}; });  // the product defaults: cap 1000 ms
  vault(0).SetBlackhole(true);
  const SecureBytes dek = RandomDek();
  const auto started = Clock::now();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_EQ(vault(1).unwraps(), 1);
  EXPECT_EQ(router_->stats().hedge_wins, 1u);
  // Generous: the seeded delay is 200 ms, plus a fake round trip; waiting
  // for the 1000 ms cap fails this.
  EXPECT_LT(took, milliseconds(600));
}

TEST_F(UnwrapTest, PrimaryOutrunByHedgesIsEjectedBeforeItsCallsReturn) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedge_delay_floor = milliseconds(50);
    o.tuning.hedge_delay_cap = milliseconds(50);
    o.tuning.consecutive_failures_to_eject = 3;
    o.tuning.try_timeout = milliseconds(60000);  // the blackholed calls never return during the test
    o.background_probing = false;
  });
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  vault(0).SetBlackhole(true);
  for (int i = 0; i < 3; ++i) {
    const SecureBytes dek = RandomDek();
    auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, dek);
  }
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
  EXPECT_EQ(router_->stats().ejections, 1u);
  // Ejected: the next unwrap goes to v1 first and pins nothing on v0.
  const int v0_calls = vault(0).unwraps();
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  EXPECT_EQ(vault(0).unwraps(), v0_calls);
}

TEST_F(UnwrapTest, SilentPrimaryFailsOverAfterTryTimeoutWithoutHedging) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedging_enabled = false;
    o.tuning.try_timeout = milliseconds(200);
  });
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  vault(0).SetBlackhole(true);
  const SecureBytes dek = RandomDek();
  const auto started = Clock::now();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_LT(took, milliseconds(5000));  // try timeout 200 ms, far below the 30 s deadline
  EXPECT_EQ(router_->stats().failovers, 1u);
}

TEST_F(UnwrapTest, EveryVaultSilentEndsAtTheDeadline) {
  Build(2);
  for (auto& v : vaults_) v->SetBlackhole(true);
  const auto started = Clock::now();
  auto r = router_->Unwrap(Request(WrapLocally(RandomDek())), Deadline::After(milliseconds(300)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kDeadlineExceeded);
  EXPECT_LT(took, milliseconds(3000));
}

TEST_F(UnwrapTest, ThrottledVaultIsSkippedDuringItsCooldown) {
  Build(2, [](RouterOptions& o) { o.tuning.hedging_enabled = false; });
  vault(0).FailNext(FakeOp::kUnwrap, VaultFailure(ErrorClass::kThrottled), 1);
  for (int i = 0; i < 5; ++i) {
    const SecureBytes dek = RandomDek();
    auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, dek);
  }
  EXPECT_EQ(vault(0).unwraps(), 1);  // the 429, then nothing while cooling down
  EXPECT_EQ(vault(1).unwraps(), 5);
  EXPECT_EQ(router_->stats().throttled_responses, 1u);
  clock_.Advance(std::chrono::seconds(11));  // past retry_max_delay
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  EXPECT_EQ(vault(0).unwraps(), 2);
}

TEST_F(UnwrapTest, ByVersionIdOfAnotherVault) {
  Build(2);
  ASSERT_NE(version(0), version(1));
  UnwrapRequest req = Request(WrapLocally(RandomDek()));
  req.thumbprint.clear();
  req.version = version(1);  // v1's id; v0 holds the same material under another id
  auto r = router_->Unwrap(req, Soon());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(vault(0).unwraps(), 1);
  EXPECT_EQ(vault(1).unwraps(), 0);
}

TEST_F(UnwrapTest, ByVersionIdWithASilentFirstVaultIsHedgedNotHeldForTryTimeout) {
  // A cold router (no version known yet) and a silent v0: resolving the
  // version id is raced like the unwrap itself. try_timeout stays at 10 s.
  Build(2, [](RouterOptions& o) {
    o.tuning.hedge_delay_floor = milliseconds(20);
    o.tuning.hedge_delay_cap = milliseconds(100);
  });
  vault(0).SetBlackhole(true);
  const SecureBytes dek = RandomDek();
  UnwrapRequest req = Request(WrapLocally(dek));
  req.thumbprint.clear();
  req.version = version(1);
  const auto started = Clock::now();
  auto r = router_->Unwrap(req, Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_GE(router_->stats().hedge_wins, 1u);
  vault(0).ReleaseAll();
}

TEST_F(UnwrapTest, IdenticalConcurrentUnwrapsShareOneVaultCall) {
  Build(2, [](RouterOptions& o) { o.tuning.hedging_enabled = false; });
  constexpr int kCallers = 500;
  const SecureBytes dek = RandomDek();
  const UnwrapRequest req = Request(WrapLocally(dek));
  vault(0).CloseUnwrapGate();
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      auto r = router_->Unwrap(req, Deadline::After(std::chrono::seconds(60)));
      if (r.ok() && *r == dek) ++ok;
    });
  }
  // Open the gate only once every other caller waits for the one in flight.
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < give_up &&
         (vault(0).unwraps_started_waiting() < 1 || router_->stats().unwraps_waiting < kCallers - 1)) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(router_->stats().unwraps_waiting, static_cast<std::uint64_t>(kCallers - 1));
  vault(0).OpenUnwrapGate();
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), kCallers);
  EXPECT_EQ(vault(0).unwraps() + vault(1).unwraps(), 1);
  EXPECT_EQ(router_->stats().unwraps_coalesced, static_cast<std::uint64_t>(kCallers - 1));
}

TEST_F(UnwrapTest, DistinctConcurrentUnwrapsSpreadWhenThePrimaryThrottles) {
  Build(2);
  vault(0).SetMaxConcurrentUnwraps(2);
  vault(0).SetLatency(FakeOp::kUnwrap, milliseconds(10));
  constexpr int kCallers = 500;
  const DistinctUnwraps calls = MakeDistinctUnwraps(kCallers);
  const std::vector<SecureBytes>& deks = calls.deks;
  const std::vector<UnwrapRequest>& reqs = calls.requests;
  std::atomic<int> ok{0};
  std::mutex failures_mu;
  std::string failures;  // what the failed callers got, for the message
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      auto r = router_->Unwrap(reqs[static_cast<std::size_t>(i)], Deadline::After(std::chrono::seconds(60)));
      if (r.ok() && *r == deks[static_cast<std::size_t>(i)]) {
        ++ok;
      } else {
        std::lock_guard lock(failures_mu);
        failures += (r.ok() ? std::string("wrong plaintext") : r.status().ToString()) + "; ";
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), kCallers) << failures;
  EXPECT_EQ(router_->stats().unwrap_failures, 0u);
  EXPECT_LE(vault(0).max_concurrent_unwraps(), 2);
  EXPECT_GT(vault(1).successful_unwraps(), 0);
  EXPECT_GE(vault(0).successful_unwraps() + vault(1).successful_unwraps(), kCallers);
  EXPECT_GT(router_->stats().throttled_responses, 0u);
}

TEST_F(UnwrapTest, AbandonedAttemptsOutliveTheCallAndTheRouterSafely) {
  Build(3, [](RouterOptions& o) {
    o.tuning.hedge_delay_floor = milliseconds(10);
    o.tuning.hedge_delay_cap = milliseconds(10);
  });
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  vault(0).SetLatency(FakeOp::kUnwrap, milliseconds(300));
  vault(1).SetLatency(FakeOp::kUnwrap, milliseconds(300));
  for (int i = 0; i < 3; ++i) {
    const SecureBytes dek = RandomDek();
    auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, dek);
  }
  // Slow attempts are still running on workers; the router goes away now.
  router_.reset();
  EXPECT_GE(vault(0).unwraps(), 2);
}

TEST_F(UnwrapTest, SaturatedExecutorStillAnswersEveryone) {
  Build(2, [](RouterOptions& o) {
    o.worker_threads = 1;
    o.max_queued_tasks = 1;
  });
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 20; ++i) {
    callers.emplace_back([&] {
      const SecureBytes dek = RandomDek();
      auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
      if (r.ok() && *r == dek) ++ok;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), 20);
}

TEST_F(UnwrapTest, WrappedKeyOfTheWrongLengthIsRefusedBeforeAnyVaultUnwraps) {
  Build(2);
  Bytes wrapped = WrapLocally(RandomDek());
  wrapped.pop_back();  // 255 bytes for a 2048-bit key; the version is not known yet
  auto r = router_->Unwrap(Request(wrapped), Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kInvalidArgument);
  EXPECT_EQ(vault(0).unwraps() + vault(1).unwraps(), 0);
  wrapped.resize(257, 1);  // now the version is known
  r = router_->Unwrap(Request(wrapped), Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kInvalidArgument);
  EXPECT_EQ(vault(0).unwraps() + vault(1).unwraps(), 0);
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kHealthy);
}

TEST_F(UnwrapTest, QuarantinedEverywhereIsRefused) {
  Build(2, {}, {GoodKey(), RogueKey()});
  recorder_->SetHistory({RotatedKey()->Thumbprint()});  // neither vault holds a known version
  auto r = router_->Unwrap(Request(WrapLocally(RandomDek())), Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kQuarantined);
  EXPECT_EQ(router_->HealthOf("v1"), VaultHealthState::kQuarantined);
  EXPECT_EQ(vault(0).unwraps() + vault(1).unwraps(), 0);
}

TEST_F(UnwrapTest, EventsCarryNoPayload) {
  Build(2, [](RouterOptions& o) { o.tuning.hedging_enabled = false; });
  vault(0).Fail(FakeOp::kUnwrap, VaultFailure(ErrorClass::kTransient));
  ASSERT_TRUE(router_->Unwrap(Request(WrapLocally(RandomDek())), Soon()).ok());
  bool saw_failure = false, saw_success = false;
  for (const auto& e : events_->calls()) {
    if (e.call != VaultCall::kUnwrap) continue;
    EXPECT_EQ(e.key_name, kKey);
    EXPECT_EQ(e.thumbprint, GoodKey()->Thumbprint());
    if (e.vault == "v0") {
      saw_failure = true;
      EXPECT_EQ(e.outcome_code, codes::kHttpServerError);
      EXPECT_EQ(e.http_status, 503);
    } else {
      saw_success = e.outcome_code == 0;
    }
  }
  EXPECT_TRUE(saw_failure);
  EXPECT_TRUE(saw_success);
}

}  // namespace
}  // namespace geoekm::testing
