// HedgedRace: one request raced over an ordered list of vaults (gRFC A6
// hedging). The first candidate starts at once; the next one starts when an
// earlier attempt failed at vault level (failover) or, with hedging on, when
// the hedge delay of the most recently started attempt has passed without
// an answer (a hedge; the budget may refuse it). The first success wins, a
// request-level failure (FailureScope::kRequest) ends the race at once, and
// everything still running is abandoned: its result is ignored.
//
// Attempts run on the BoundedExecutor. An abandoned attempt keeps running on
// its worker until its vault call returns; it holds the shared race state
// (and whatever the Attempt captured by value), never the caller's stack, so
// it cannot touch freed memory. If the executor refuses work, the caller
// runs a failover attempt itself; a hedge it (or the budget) refuses is
// asked for again one hedge delay later.
//
// An attempt still running attempt_timeout after it started counts as
// failed for the race (the next candidate starts as a failover, which the
// hedge budget cannot refuse) even if its vault call ignores its deadline:
// otherwise a silent vault with the budget spent would hold the caller
// until the caller's own deadline. Attempts another vault outran (still
// running when the race was won) are reported, so the router can count
// them against their vault's health.
//
// Generic over the attempt's result type T (an unwrap's SecureBytes, a
// wrap's Bytes, a key read's KeyBundle): the winner's value is returned as
// it is, with no side channel.
//
// Thread safety: Run() may be called concurrently; Attempt is called on
// worker threads (or the caller's) and must be thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "vault_router/bounded_executor.h"
#include "vault_router/deadline_wait.h"
#include "vault_router/failure_scope.h"

namespace geoekm {

struct RaceAttempt {
  std::size_t candidate = 0;
  bool hedged = false;
  // True once the race is over (another attempt won or the caller gave up).
  std::shared_ptr<const std::atomic<bool>> over;
  bool abandoned() const { return over->load(std::memory_order_acquire); }
};

struct RaceOptions {
  bool hedging = true;
  // Hedge delay after starting `candidate`.
  std::function<std::chrono::milliseconds(std::size_t candidate)> hedge_delay;
  // Asked before each hedge; false = not now (the budget is spent): asked
  // again one hedge delay later.
  std::function<bool()> may_hedge;
  // Asked with the candidate started last whenever a hedge is due: true =
  // fail over from it now (e.g. its vault was ejected meanwhile); that start
  // is a failover, which the budget is not asked about.
  std::function<bool(std::size_t last_started)> abandon_candidate;
  // 0 = attempts are only failed by their own result.
  std::chrono::milliseconds attempt_timeout{0};
};

template <typename T>
struct RaceOutcome {
  std::optional<Result<T>> result;  // winner or request-level failure; empty = none
  std::optional<std::size_t> winner;
  bool winner_hedged = false;
  bool deadline_passed = false;
  std::size_t started = 0;
  std::size_t hedges = 0;
  std::size_t failovers = 0;
  std::size_t rejected_by_executor = 0;
  std::vector<std::pair<std::size_t, Status>> failures;  // (candidate, vault-level failure) in finish order
  std::size_t timed_out = 0;  // attempts failed over from after attempt_timeout
  // Attempts still running when another candidate won: (candidate, how long it had run).
  std::vector<std::pair<std::size_t, std::chrono::milliseconds>> outrun;
};

template <typename T>
class HedgedRace {
 public:
  using Attempt = std::function<Result<T>(const RaceAttempt&, Deadline)>;

  static RaceOutcome<T> Run(BoundedExecutor& executor, std::size_t candidates, Attempt attempt,
                            const RaceOptions& options, Deadline deadline);

 private:
  struct State;
  static void RunAttempt(const std::shared_ptr<State>& st, const RaceAttempt& a);
};

// --- implementation (a template: here, not in a .cc) ---------------------

// Shared by the caller and every attempt; outlives whichever finishes last.
template <typename T>
struct HedgedRace<T>::State {
  std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<std::atomic<bool>> over = std::make_shared<std::atomic<bool>>(false);
  Attempt attempt;
  Deadline deadline = Deadline::Never();
  std::optional<Result<T>> result;
  std::optional<std::size_t> winner;
  bool winner_hedged = false;
  std::vector<std::pair<std::size_t, Status>> failures;
  std::size_t outstanding = 0;
  std::vector<bool> finished;  // per candidate
};

template <typename T>
void HedgedRace<T>::RunAttempt(const std::shared_ptr<State>& st, const RaceAttempt& a) {
  // A queued attempt whose race is already over need not call the vault.
  std::optional<Result<T>> r;
  if (!a.abandoned()) r.emplace(st->attempt(a, st->deadline));
  {
    std::lock_guard lock(st->mu);
    --st->outstanding;
    st->finished[a.candidate] = true;
    if (r && !st->over->load(std::memory_order_acquire)) {
      if (r->ok() || ScopeOf(r->status()) == FailureScope::kRequest) {
        if (r->ok()) {
          st->winner = a.candidate;
          st->winner_hedged = a.hedged;
        }
        st->result.emplace(std::move(*r));
        st->over->store(true, std::memory_order_release);
      } else {
        st->failures.emplace_back(a.candidate, r->status());
      }
    }
  }
  st->cv.notify_all();
}

template <typename T>
RaceOutcome<T> HedgedRace<T>::Run(BoundedExecutor& executor, std::size_t candidates, Attempt attempt,
                                  const RaceOptions& options, Deadline deadline) {
  RaceOutcome<T> out;
  if (candidates == 0) return out;
  auto st = std::make_shared<State>();
  st->attempt = std::move(attempt);
  st->deadline = deadline;
  st->finished.assign(candidates, false);
  // Per candidate: when it started, and whether the race already moved on
  // from it (failed, or ran past attempt_timeout).
  std::vector<Clock::time_point> started_at(candidates);
  std::vector<bool> moved_on(candidates, false);
  const bool timeouts = options.attempt_timeout.count() > 0;

  std::size_t next = 0;
  std::size_t failures_seen = 0;
  const bool hedging = options.hedging;
  Clock::time_point last_start = Clock::now();
  std::unique_lock lock(st->mu);

  // Starts candidate `next`. Returns false if the executor refused and the
  // attempt may not run inline (hedges).
  auto start = [&](bool hedged) -> bool {
    RaceAttempt a{next, hedged, st->over};
    ++st->outstanding;
    lock.unlock();
    bool ran = executor.Submit([st, a] { RunAttempt(st, a); });
    if (!ran) {
      ++out.rejected_by_executor;
      if (!hedged) {
        RunAttempt(st, a);
        ran = true;
      }
    }
    lock.lock();
    if (!ran) {
      --st->outstanding;
      return false;
    }
    last_start = Clock::now();
    started_at[next] = last_start;
    ++next;
    ++out.started;
    return true;
  };

  start(false);
  for (;;) {
    if (st->over->load(std::memory_order_acquire)) break;
    if (failures_seen < st->failures.size()) {
      const std::size_t failed = st->failures[failures_seen++].first;
      // A timed-out attempt that now fails was already failed over from.
      if (!moved_on[failed] && next < candidates) {
        ++out.failovers;
        start(false);
      }
      moved_on[failed] = true;
      continue;
    }
    // Attempts past attempt_timeout: fail over from them now.
    Clock::time_point timeout_at = Clock::time_point::max();
    bool timed_out = false;
    for (std::size_t c = 0; timeouts && c < next; ++c) {
      if (st->finished[c] || moved_on[c]) continue;
      const Clock::time_point at = started_at[c] + options.attempt_timeout;
      if (Clock::now() >= at) {
        moved_on[c] = true;
        ++out.timed_out;
        timed_out = true;
      } else {
        timeout_at = std::min(timeout_at, at);
      }
    }
    if (timed_out) {
      if (next < candidates) {
        ++out.failovers;
        start(false);
      }
      continue;
    }
    if (st->outstanding == 0) {
      if (next >= candidates) break;  // every candidate failed
      start(false);                   // nothing running (e.g. a refused hedge): carry on with the next
      continue;
    }
    if (deadline.expired()) {
      out.deadline_passed = true;
      break;
    }
    const bool may_start_hedge = hedging && next < candidates && st->outstanding > 0;
    Clock::time_point wake = std::min(deadline.at(), timeout_at);
    Clock::time_point hedge_at = Clock::time_point::max();
    if (may_start_hedge) {
      hedge_at = last_start + (options.hedge_delay ? options.hedge_delay(next - 1) : std::chrono::milliseconds(0));
      wake = std::min(wake, hedge_at);
    }
    WaitUntil(st->cv, lock, wake, [&] {
      return st->over->load(std::memory_order_acquire) || failures_seen < st->failures.size() ||
             st->outstanding == 0;
    });
    if (st->over->load(std::memory_order_acquire) || failures_seen < st->failures.size()) continue;
    if (may_start_hedge && Clock::now() >= hedge_at && !deadline.expired()) {
      if (options.abandon_candidate && options.abandon_candidate(next - 1)) {
        ++out.failovers;
        start(false);
      } else if ((!options.may_hedge || options.may_hedge()) && start(true)) {
        ++out.hedges;
      } else {
        last_start = Clock::now();  // budget spent or executor full: ask again one hedge delay later
      }
    }
  }

  st->over->store(true, std::memory_order_release);  // abandon whatever still runs
  if (st->winner) {
    const Clock::time_point now = Clock::now();
    for (std::size_t c = 0; c < next; ++c) {
      if (!st->finished[c] && c != *st->winner) {
        out.outrun.emplace_back(c, std::chrono::duration_cast<std::chrono::milliseconds>(now - started_at[c]));
      }
    }
  }
  out.result = std::move(st->result);
  out.winner = st->winner;
  out.winner_hedged = st->winner_hedged;
  out.failures = st->failures;
  return out;
}

}  // namespace geoekm
