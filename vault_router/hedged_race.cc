#include "vault_router/hedged_race.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "core/error_codes.h"
#include "vault_router/deadline_wait.h"
#include "vault_router/failure_scope.h"

namespace geoekm {

namespace {

// Shared by the caller and every attempt; outlives whichever finishes last.
struct RaceState {
  std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<std::atomic<bool>> over = std::make_shared<std::atomic<bool>>(false);
  HedgedRace::Attempt attempt;
  Deadline deadline = Deadline::Never();
  std::optional<Result<SecureBytes>> result;
  std::optional<std::size_t> winner;
  bool winner_hedged = false;
  std::vector<std::pair<std::size_t, Status>> failures;
  std::size_t outstanding = 0;
  std::vector<bool> finished;  // per candidate
};

void RunAttempt(const std::shared_ptr<RaceState>& st, const RaceAttempt& a) {
  // A queued attempt whose race is already over need not call the vault.
  std::optional<Result<SecureBytes>> r;
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

}  // namespace

RaceOutcome HedgedRace::Run(BoundedExecutor& executor, std::size_t candidates, Attempt attempt,
                            const RaceOptions& options, Deadline deadline) {
  RaceOutcome out;
  if (candidates == 0) return out;
  auto st = std::make_shared<RaceState>();
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
