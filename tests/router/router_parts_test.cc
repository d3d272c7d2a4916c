// The router's building blocks on their own: latency tracking, the outcome
// window, the hedge budget, VaultHealth's hedge delay and throttle tier, the
// bounded executor, the coalescer and the hedged race.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <future>
#include <random>
#include <thread>
#include <vector>

#include "core/alarm_clock.h"
#include "core/error_codes.h"
#include "vault_router/bounded_executor.h"
#include "vault_router/hedge_budget.h"
#include "vault_router/hedged_race.h"
#include "vault_router/latency_tracker.h"
#include "vault_router/outcome_window.h"
#include "vault_router/unwrap_coalescer.h"
#include "vault_router/vault_health.h"

namespace geoekm {
namespace {

using std::chrono::milliseconds;

TEST(LatencyTracker, PercentileNeedsSamplesAndFollowsTheTail) {
  LatencyTracker t;
  for (int i = 0; i < 4; ++i) t.Add(milliseconds(10));
  EXPECT_FALSE(t.p95().has_value());
  for (int i = 0; i < 95; ++i) t.Add(milliseconds(10));
  for (int i = 0; i < 5; ++i) t.Add(milliseconds(500));
  // The window holds the last 64 samples: 59 × 10 ms and 5 × 500 ms.
  EXPECT_EQ(*t.p95(), milliseconds(500));
  ASSERT_TRUE(t.ewma().has_value());
  EXPECT_GT(*t.ewma(), milliseconds(10));
}

// The kept-sorted window answers as a selection over the last kWindow
// samples would, through the window's turnover and after Clear().
TEST(LatencyTracker, PercentileAndMaxMatchTheLastSamplesSelectedAfresh) {
  LatencyTracker t;
  std::mt19937 rng(11);
  std::vector<long> all;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 300; ++i) {
      const long ms = static_cast<long>(rng() % (i % 50 == 0 ? 2000 : 40));  // repeats and a few outliers
      t.Add(milliseconds(ms));
      all.push_back(ms);
      const std::size_t n = std::min(all.size(), LatencyTracker::kWindow);
      std::vector<long> last(all.end() - static_cast<std::ptrdiff_t>(n), all.end());
      ASSERT_EQ(t.samples(), n);
      EXPECT_EQ(t.max()->count(), *std::max_element(last.begin(), last.end()));
      if (n < LatencyTracker::kMinSamples) {
        EXPECT_FALSE(t.p95().has_value());
        continue;
      }
      const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(n)));
      std::nth_element(last.begin(), last.begin() + static_cast<std::ptrdiff_t>(rank - 1), last.end());
      EXPECT_EQ(t.p95()->count(), last[rank - 1]) << "after " << all.size() << " samples";
    }
    t.Clear();
    all.clear();
    EXPECT_FALSE(t.max().has_value());
  }
}

TEST(OutcomeWindow, ForgetsOutcomesOlderThanTheWindow) {
  OutcomeWindow w(milliseconds(1000));
  const Clock::time_point t0{std::chrono::hours(1)};
  w.Add(t0, false);
  w.Add(t0, true);
  EXPECT_EQ(w.total(t0), 2u);
  EXPECT_DOUBLE_EQ(w.error_rate(t0), 0.5);
  EXPECT_EQ(w.total(t0 + milliseconds(950)), 2u);
  EXPECT_EQ(w.total(t0 + milliseconds(1100)), 0u);
  EXPECT_DOUBLE_EQ(w.error_rate(t0 + milliseconds(1100)), 0.0);
}

TEST(HedgeBudget, AllowsAtLeastTheMinimumThenTheRatio) {
  HedgeBudget b(0.1, 2);
  EXPECT_TRUE(b.TryWithdraw());
  EXPECT_TRUE(b.TryWithdraw());
  // Within the same second (almost surely): the minimum is spent.
  int more = 0;
  for (int i = 0; i < 100; ++i) b.OnRequest();
  for (int i = 0; i < 50; ++i) more += b.TryWithdraw() ? 1 : 0;
  EXPECT_LE(more, 10);
}

TEST(VaultHealth, HedgeDelayAdaptsAndIsClamped) {
  OutlierPolicy p;
  p.tuning.hedge_delay_floor = milliseconds(50);
  p.tuning.hedge_delay_cap = milliseconds(1000);
  p.tuning.hedge_latency_factor = 2.0;
  VaultHealth h("v", p);
  const Clock::time_point now{std::chrono::hours(1)};
  EXPECT_EQ(h.HedgeDelay(), milliseconds(200));  // no data yet: expected_rtt 50 ms x 2 x factor
  for (int i = 0; i < 20; ++i) (void)h.OnOutcome(now, Status::Ok(), milliseconds(10));
  EXPECT_EQ(h.HedgeDelay(), milliseconds(50));  // 20 ms, clamped up to the floor
  for (int i = 0; i < 64; ++i) (void)h.OnOutcome(now, Status::Ok(), milliseconds(300));
  EXPECT_EQ(h.HedgeDelay(), milliseconds(600));
  for (int i = 0; i < 64; ++i) (void)h.OnOutcome(now, Status::Ok(), milliseconds(900));
  EXPECT_EQ(h.HedgeDelay(), milliseconds(1000));  // clamped down to the cap
}

TEST(VaultHealth, HedgeDelayBeforeEnoughSamplesComesFromWhatIsKnown) {
  OutlierPolicy p;
  p.tuning.hedge_delay_floor = milliseconds(50);
  p.tuning.hedge_delay_cap = milliseconds(1000);
  p.tuning.hedge_latency_factor = 2.0;
  p.tuning.expected_rtt = milliseconds(30);
  VaultHealth h("v", p);
  const Clock::time_point now{std::chrono::hours(1)};
  EXPECT_EQ(h.HedgeDelay(), milliseconds(120));  // the configured expected RTT x 2 x factor
  (void)h.OnOutcome(now, Status::Ok(), milliseconds(40));
  EXPECT_EQ(h.HedgeDelay(), milliseconds(160));  // one sample: it replaces the expectation
  (void)h.OnOutcome(now, Status::Ok(), milliseconds(100));
  (void)h.OnOutcome(now, Status::Ok(), milliseconds(10));
  EXPECT_EQ(h.HedgeDelay(), milliseconds(400));  // the slowest of the few x 2 x factor
  (void)h.OnOutcome(now, Status::Ok(), milliseconds(300));
  EXPECT_EQ(h.HedgeDelay(), milliseconds(1000));  // clamped to the cap
  (void)h.OnOutcome(now, Status::Ok(), milliseconds(10));
  EXPECT_EQ(h.HedgeDelay(), milliseconds(600));  // 5 samples: p95 (300) x factor, no margin
  EXPECT_EQ(h.Snapshot(now).hedge_delay, milliseconds(600));

  OutlierPolicy tiny = p;
  tiny.tuning.expected_rtt = milliseconds(1);
  EXPECT_EQ(VaultHealth("v", tiny).HedgeDelay(), milliseconds(50));  // clamped up to the floor
  OutlierPolicy far = p;
  far.tuning.expected_rtt = milliseconds(5000);
  EXPECT_EQ(VaultHealth("v", far).HedgeDelay(), milliseconds(1000));  // the old behaviour: the cap
}

TEST(VaultHealth, ThrottleCooldownGrowsAndResets) {
  OutlierPolicy p;
  p.tuning.retry_base_delay = milliseconds(100);
  p.tuning.retry_max_delay = milliseconds(250);
  VaultHealth h("v", p);
  const Clock::time_point now{std::chrono::hours(1)};
  const Status throttled = Status(codes::kHttpThrottled, ErrorClass::kThrottled, "429").WithHttp(429, "Throttled", "");
  auto e = h.OnOutcome(now, throttled, milliseconds(1));
  ASSERT_TRUE(e.has_value());  // reported, so that the store shows it
  EXPECT_EQ(e->to, VaultHealthState::kSuspect);
  EXPECT_EQ(e->error_code, codes::kHttpThrottled);
  EXPECT_EQ(e->http_status, 429);
  EXPECT_NE(e->reason.find("throttled"), std::string::npos) << e->reason;
  EXPECT_EQ(h.Tier(now), VaultTier::kThrottled);
  EXPECT_EQ(h.Tier(now + milliseconds(100)), VaultTier::kPreferred);
  (void)h.OnOutcome(now, throttled, milliseconds(1));
  (void)h.OnOutcome(now, throttled, milliseconds(1));
  EXPECT_EQ(h.Tier(now + milliseconds(240)), VaultTier::kThrottled);  // 400 ms capped at 250
  EXPECT_EQ(h.Tier(now + milliseconds(250)), VaultTier::kPreferred);
  // A 429 is not a failure: three of them eject nothing, and the next answer
  // makes the vault healthy again.
  EXPECT_EQ(h.state(), VaultHealthState::kSuspect);
  EXPECT_EQ(h.Snapshot(now).consecutive_failures, 0);
  auto back = h.OnOutcome(now + milliseconds(250), Status::Ok(), milliseconds(1));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->to, VaultHealthState::kHealthy);
  EXPECT_EQ(h.Tier(now + milliseconds(250)), VaultTier::kPreferred);
}

// Being outrun is held against a vault only if it answered nothing
// meanwhile. A 429 is an answer: a vault over its service limit is alive,
// and its slow or queued calls are not silence (a burst at a throttling
// primary used to eject it for "outrun" before its 429s were seen).
TEST(VaultHealth, ThrottledAnswersCountAsAnswersButFailuresDoNot) {
  OutlierPolicy p;
  VaultHealth h("v", p);
  const Clock::time_point now{std::chrono::hours(1)};
  const Clock::time_point before = Clock::now();
  EXPECT_FALSE(h.AnsweredSince(before));
  (void)h.OnOutcome(now, Status(codes::kHttpServerError, ErrorClass::kTransient, "503").WithHttp(503, "", ""),
                    milliseconds(1));
  EXPECT_FALSE(h.AnsweredSince(before)) << "a failure is no answer";
  (void)h.OnOutcome(now, Status(codes::kHttpThrottled, ErrorClass::kThrottled, "429").WithHttp(429, "Throttled", ""),
                    milliseconds(1));
  EXPECT_TRUE(h.AnsweredSince(before));
  EXPECT_FALSE(h.AnsweredSince(Clock::now() + std::chrono::seconds(1)));
}

TEST(VaultHealth, ARequestRefusedBeforeSendingSaysNothingAboutTheVault) {
  OutlierPolicy p;
  p.tuning.consecutive_failures_to_eject = 100;  // stay suspect, not ejected
  VaultHealth h("v", p);
  const Clock::time_point now{std::chrono::hours(1)};
  const Status unreachable(codes::kHttpConnectSession, ErrorClass::kTransient, "cannot connect");
  (void)h.OnOutcome(now, unreachable, milliseconds(1));
  ASSERT_EQ(h.state(), VaultHealthState::kSuspect);
  const int failures = h.Snapshot(now).consecutive_failures;
  // The client refused a bad key name without sending anything: the lost
  // vault must not be called "answering again".
  const Status refused(codes::kInvalidArgument, ErrorClass::kInvalidInput, "key name must be ...");
  EXPECT_FALSE(h.OnOutcome(now, refused, milliseconds(1)).has_value());
  EXPECT_EQ(h.state(), VaultHealthState::kSuspect);
  EXPECT_EQ(h.Snapshot(now).consecutive_failures, failures);
  // A vault's own 400 still is an answer.
  const Status bad_request = Status(codes::kInvalidArgument, ErrorClass::kBadRequest, "400").WithHttp(400, "BadParameter", "");
  auto back = h.OnOutcome(now, bad_request, milliseconds(1));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->to, VaultHealthState::kHealthy);
}

TEST(VaultHealth, QuarantineIsFinal) {
  VaultHealth h("v", OutlierPolicy{});
  const Clock::time_point now{std::chrono::hours(1)};
  auto e = h.Quarantine("other material");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->error_code, codes::kKeyMaterialMismatch);
  EXPECT_FALSE(h.Quarantine("again").has_value());
  (void)h.OnOutcome(now, Status::Ok(), milliseconds(1));
  std::optional<VaultHealthEvent> probe;
  EXPECT_FALSE(h.BeginProbeIfDue(now + std::chrono::hours(1), &probe));
  EXPECT_EQ(h.state(), VaultHealthState::kQuarantined);
  EXPECT_EQ(h.Tier(now), VaultTier::kNever);
}

TEST(BoundedExecutor, RefusesBeyondItsQueueAndDropsQueuedWorkOnShutdown) {
  auto ex = std::make_unique<BoundedExecutor>(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  std::atomic<bool> started{false};
  ASSERT_TRUE(ex->Submit([&] {
    started = true;
    released.wait();
    ++ran;
  }));
  while (!started) std::this_thread::yield();
  EXPECT_TRUE(ex->Submit([&] { ++ran; }));
  EXPECT_TRUE(ex->Submit([&] { ++ran; }));
  EXPECT_FALSE(ex->Submit([&] { ++ran; }));  // queue full
  std::thread stopper([&] { ex->Shutdown(); });
  std::this_thread::sleep_for(milliseconds(20));
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 1);  // the running task finished; the queued ones were dropped
  EXPECT_FALSE(ex->Submit([] {}));
}

TEST(UnwrapCoalescer, FollowerWithTimeLeftDoesNotInheritTheLeadersDeadline) {
  UnwrapCoalescer c;
  std::promise<void> leader_in;
  std::promise<void> let_leader_fail;
  std::thread leader([&] {
    auto r = c.Run(UnwrapCoalescer::Key{"k"}, Deadline::After(milliseconds(50)), [&](Deadline) -> Result<SecureBytes> {
      leader_in.set_value();
      let_leader_fail.get_future().wait();
      return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "leader ran out of time");
    });
    EXPECT_FALSE(r.ok());
  });
  leader_in.get_future().wait();
  std::atomic<int> calls{0};
  std::thread follower([&] {
    bool coalesced = false;
    auto r = c.Run(
        UnwrapCoalescer::Key{"k"}, Deadline::After(std::chrono::seconds(30)),
        [&](Deadline) -> Result<SecureBytes> {
          ++calls;
          return SecureBytes{1, 2, 3};
        },
        &coalesced);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, (SecureBytes{1, 2, 3}));
  });
  while (c.waiting() == 0) std::this_thread::yield();
  let_leader_fail.set_value();
  leader.join();
  follower.join();
  EXPECT_EQ(calls.load(), 1);  // the follower ran its own call
}

TEST(UnwrapCoalescer, RequestsThatDifferInAnyPartAreNotCoalescedIdenticalOnesAre) {
  const UnwrapCoalescer::Key base{"tde-key", "thumb", "", "RSA-OAEP-256", std::string_view("\x01\x02\x03", 3)};
  for (std::size_t part = 0; part <= base.size(); ++part) {
    UnwrapCoalescer c;
    UnwrapCoalescer::Key other = base;
    if (part < base.size()) other[part] = "x";  // part == size(): identical
    std::promise<void> leader_in;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> calls{0};
    std::thread leader([&] {
      auto r = c.Run(base, Deadline::After(std::chrono::seconds(30)), [&](Deadline) -> Result<SecureBytes> {
        ++calls;
        leader_in.set_value();
        released.wait();
        return SecureBytes{7};
      });
      EXPECT_TRUE(r.ok());
    });
    leader_in.get_future().wait();
    bool coalesced = false;
    std::thread second([&] {
      auto r = c.Run(
          other, Deadline::After(std::chrono::seconds(30)),
          [&](Deadline) -> Result<SecureBytes> {
            ++calls;
            return SecureBytes{8};
          },
          &coalesced);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(*r, (SecureBytes{static_cast<std::uint8_t>(part < base.size() ? 8 : 7)})) << "part " << part;
    });
    if (part < base.size()) {
      second.join();  // ran its own call while the leader still waits
      release.set_value();
    } else {
      while (c.waiting() == 0) std::this_thread::yield();
      release.set_value();
      second.join();
    }
    leader.join();
    EXPECT_EQ(calls.load(), part < base.size() ? 2 : 1) << "part " << part;
    EXPECT_EQ(coalesced, part == base.size()) << "part " << part;
  }
}

TEST(HedgedRace, RequestLevelFailureStopsTheRace) {
  BoundedExecutor ex(4, 16);
  std::atomic<int> calls{0};
  RaceOptions o;
  o.hedging = false;
  auto out = HedgedRace<SecureBytes>::Run(
      ex, 3,
      [&](const RaceAttempt&, Deadline) -> Result<SecureBytes> {
        ++calls;
        return Status(codes::kHttpClientError, ErrorClass::kBadRequest, "400");
      },
      o, Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(out.result.has_value());
  EXPECT_EQ(out.result->status().error_class(), ErrorClass::kBadRequest);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_FALSE(out.winner.has_value());
}

TEST(HedgedRace, FailoverThenWinner) {
  BoundedExecutor ex(4, 16);
  RaceOptions o;
  o.hedging = false;
  auto out = HedgedRace<SecureBytes>::Run(
      ex, 3,
      [&](const RaceAttempt& a, Deadline) -> Result<SecureBytes> {
        if (a.candidate < 2) return Status(codes::kHttpServerError, ErrorClass::kTransient, "503");
        return SecureBytes{7};
      },
      o, Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(out.result.has_value() && out.result->ok());
  EXPECT_EQ(out.winner, 2u);
  EXPECT_EQ(out.failovers, 2u);
  EXPECT_EQ(out.failures.size(), 2u);
}

// The race hands back the winner's own value, whatever its type (a key
// read's bundle, a wrap's ciphertext): no side channel, no conversion.
TEST(HedgedRace, ReturnsTheWinnersValueOfAnyType) {
  BoundedExecutor ex(4, 16);
  RaceOptions o;
  o.hedging = false;
  auto out = HedgedRace<KeyBundle>::Run(
      ex, 2,
      [&](const RaceAttempt& a, Deadline) -> Result<KeyBundle> {
        if (a.candidate == 0) return Status(codes::kHttpServerError, ErrorClass::kTransient, "503");
        KeyBundle b;
        b.version = "from-candidate-" + std::to_string(a.candidate);
        return b;
      },
      o, Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(out.result.has_value() && out.result->ok());
  EXPECT_EQ(out.winner, 1u);
  EXPECT_EQ(out.result->value().version, "from-candidate-1");
}

TEST(HedgedRace, AttemptIgnoringItsDeadlineIsFailedOverFromAndReportedOutrun) {
  BoundedExecutor ex(4, 16);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  RaceOptions o;
  o.hedging = false;
  o.attempt_timeout = milliseconds(50);
  auto out = HedgedRace<SecureBytes>::Run(
      ex, 2,
      [released](const RaceAttempt& a, Deadline) -> Result<SecureBytes> {
        if (a.candidate == 0) released.wait();  // a vault call that overruns any deadline
        return SecureBytes{9};
      },
      o, Deadline::After(std::chrono::seconds(30)));
  release.set_value();
  ASSERT_TRUE(out.result.has_value() && out.result->ok());
  EXPECT_EQ(out.winner, 1u);
  EXPECT_EQ(out.timed_out, 1u);
  EXPECT_EQ(out.failovers, 1u);
  ASSERT_EQ(out.outrun.size(), 1u);
  EXPECT_EQ(out.outrun[0].first, 0u);
}

// The router's mode: the first attempt on the caller's thread, handed over
// to a worker by `clock` when `hedge_delay` passes.
RaceOptions InlineRace(AlarmClock& clock, milliseconds hedge_delay) {
  RaceOptions o;
  o.hedge_delay = [hedge_delay](std::size_t) { return hedge_delay; };
  o.inline_first = &clock;
  return o;
}

// The router's mode: the first attempt runs on the caller's own thread, so
// a healthy first vault costs no thread hand-off.
TEST(HedgedRace, FirstAttemptRunsOnTheCallersThread) {
  BoundedExecutor ex(4, 16);
  AlarmClock clock;
  const RaceOptions o = InlineRace(clock, milliseconds(1000));
  std::thread::id ran_on;
  auto out = HedgedRace<SecureBytes>::Run(
      ex, 2,
      [&](const RaceAttempt&, Deadline) -> Result<SecureBytes> {
        ran_on = std::this_thread::get_id();
        return SecureBytes{1};
      },
      o, Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(out.result.has_value() && out.result->ok());
  EXPECT_EQ(out.winner, 0u);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(out.started, 1u);
  EXPECT_EQ(out.hedges, 0u);
}

// A first attempt still running at its hedge delay: a worker takes the race
// over and hedges; once the hedge wins, the caller's own call is cancelled
// through its Deadline and the caller returns with the hedge's answer.
TEST(HedgedRace, SlowFirstAttemptIsHandedOverHedgedAndCancelled) {
  BoundedExecutor ex(4, 16);
  AlarmClock clock;
  const RaceOptions o = InlineRace(clock, milliseconds(20));
  std::atomic<bool> first_cancelled{false};
  std::thread::id hedge_ran_on;
  const auto started = Clock::now();
  auto out = HedgedRace<SecureBytes>::Run(
      ex, 2,
      [&](const RaceAttempt& a, Deadline d) -> Result<SecureBytes> {
        if (a.candidate == 1) {
          hedge_ran_on = std::this_thread::get_id();
          return SecureBytes{2};
        }
        // A silent vault: answers only when nobody needs it any more.
        const auto until = Clock::now() + std::chrono::seconds(20);
        while (!d.cancelled() && Clock::now() < until) std::this_thread::sleep_for(milliseconds(1));
        first_cancelled = d.cancelled();
        return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "cancelled");
      },
      o, Deadline::After(std::chrono::seconds(30)));
  const auto took = Clock::now() - started;
  ASSERT_TRUE(out.result.has_value() && out.result->ok());
  EXPECT_EQ(out.winner, 1u);
  EXPECT_TRUE(out.winner_hedged);
  EXPECT_EQ(out.hedges, 1u);
  EXPECT_TRUE(first_cancelled.load());
  EXPECT_NE(hedge_ran_on, std::this_thread::get_id());
  EXPECT_LT(took, std::chrono::seconds(10));  // not the silent call's 20 s
  ASSERT_EQ(out.outrun.size(), 1u);
  EXPECT_EQ(out.outrun[0].first, 0u);
}

// Handed-over races are stepped by events, not supervised by a waiting
// worker: eight callers sitting in a silent first vault, one worker, and
// every hedge still runs and wins at once. (Were each handed-over race
// supervised on a worker, the first supervisor would hold the only worker
// and every hedge would queue behind it until the callers' deadlines.)
TEST(HedgedRace, CallersInASilentVaultPinNoWorker) {
  BoundedExecutor ex(1, 64);
  AlarmClock clock;
  const RaceOptions o = InlineRace(clock, milliseconds(20));
  constexpr int kCallers = 8;
  std::atomic<int> winners_hedged{0};
  std::atomic<int> first_cancelled{0};
  const auto started = Clock::now();
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      auto out = HedgedRace<SecureBytes>::Run(
          ex, 2,
          [&](const RaceAttempt& a, Deadline d) -> Result<SecureBytes> {
            if (a.candidate == 1) return SecureBytes{2};
            const auto until = Clock::now() + std::chrono::seconds(20);
            while (!d.cancelled() && Clock::now() < until) std::this_thread::sleep_for(milliseconds(1));
            if (d.cancelled()) ++first_cancelled;
            return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "cancelled");
          },
          o, Deadline::After(std::chrono::seconds(30)));
      if (out.result && out.result->ok() && out.winner == 1u && out.winner_hedged) ++winners_hedged;
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(winners_hedged.load(), kCallers);
  EXPECT_EQ(first_cancelled.load(), kCallers);
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(10));  // not the silent calls' 20 s
}

// The caller has nothing else to do while its attempt failed and nothing
// else runs: the failover runs on its thread too.
TEST(HedgedRace, AVaultFailureFailsOverOnTheCallersThread) {
  BoundedExecutor ex(4, 16);
  AlarmClock clock;
  const RaceOptions o = InlineRace(clock, milliseconds(1000));
  std::thread::id second_ran_on;
  auto out = HedgedRace<SecureBytes>::Run(
      ex, 3,
      [&](const RaceAttempt& a, Deadline) -> Result<SecureBytes> {
        if (a.candidate == 0) return Status(codes::kHttpServerError, ErrorClass::kTransient, "503");
        second_ran_on = std::this_thread::get_id();
        return SecureBytes{3};
      },
      o, Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(out.result.has_value() && out.result->ok());
  EXPECT_EQ(out.winner, 1u);
  EXPECT_FALSE(out.winner_hedged);
  EXPECT_EQ(out.failovers, 1u);
  EXPECT_EQ(out.started, 2u);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].first, 0u);
  EXPECT_EQ(second_ran_on, std::this_thread::get_id());
}

// Every candidate failing on the caller's thread ends the race with their
// failures, in order, and no winner.
TEST(HedgedRace, EveryCandidateFailingInlineEndsTheRace) {
  BoundedExecutor ex(4, 16);
  AlarmClock clock;
  RaceOptions o;
  o.hedging = false;  // no hand-over: every attempt is the caller's
  o.inline_first = &clock;
  auto out = HedgedRace<SecureBytes>::Run(
      ex, 3,
      [&](const RaceAttempt&, Deadline) -> Result<SecureBytes> {
        return Status(codes::kHttpServerError, ErrorClass::kTransient, "503");
      },
      o, Deadline::After(std::chrono::seconds(10)));
  EXPECT_FALSE(out.result.has_value());
  EXPECT_FALSE(out.winner.has_value());
  EXPECT_EQ(out.started, 3u);
  EXPECT_EQ(out.failovers, 2u);
  ASSERT_EQ(out.failures.size(), 3u);
  EXPECT_EQ(out.failures[2].first, 2u);
}

}  // namespace
}  // namespace geoekm
