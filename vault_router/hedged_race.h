// HedgedRace: one request raced over an ordered list of vaults (gRFC A6
// hedging). The first candidate starts at once; the next one starts when an
// earlier attempt failed at vault level (failover) or, with hedging on, when
// the hedge delay of the most recently started attempt has passed without
// an answer (a hedge; the budget may refuse it). The first success wins, a
// request-level failure (FailureScope::kRequest) ends the race at once, and
// everything still running is abandoned: its result is ignored.
//
// With RaceOptions::inline_first (the router's setting), the first attempt
// (and each failover while nothing else runs) is made on the caller's own
// thread: the common case, a healthy first vault, then costs no thread
// hand-off at all. An Alarm on the given AlarmClock, due when the first
// hedge or attempt_timeout would be, hands the race over if the attempt is
// still running then: from that moment the race is driven by events, not by
// a waiting thread — each alarm (the next hedge, timeout or the deadline)
// and each attempt's result steps it on a worker for a moment, so a race
// whose caller sits in a silent vault pins no worker. Once the race is over
// the caller's attempt is cancelled through the Deadline's CancelSignal, so
// the caller returns with the winner instead of waiting for its own vault.
// The failure of the caller's cancelled attempt (its Deadline cancelled())
// says nothing about its vault. Back from its attempt, the caller supervises
// whatever is left itself.
//
// Other attempts run on the BoundedExecutor. An abandoned attempt keeps
// running on its worker until its vault call returns; it holds the shared
// race state (and whatever the Attempt captured by value), never the
// caller's stack, so it cannot touch freed memory. If the executor refuses
// work, whichever thread steps the race runs a failover attempt itself; a hedge it (or the
// budget) refuses is asked for again one hedge delay later.
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
// worker threads (or the caller's) and must be thread-safe. RaceOptions'
// functions are called on the caller's thread or, after a hand-over, on a
// worker's, never after Run() returns.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/alarm_clock.h"
#include "core/cancel_signal.h"
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
  // Made on the caller's own thread (RaceOptions::inline_first), not a worker's.
  bool on_callers_thread = false;
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
  // Non-null: run the first attempt on the caller's thread; this clock hands
  // the race to a worker when a hedge or timeout falls due meanwhile.
  AlarmClock* inline_first = nullptr;
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
  class StepAlarm;
  static void RunAttempt(const std::shared_ptr<State>& st, const RaceAttempt& a);
  static void Record(State& st, const RaceAttempt& a, std::optional<Result<T>> r);
  static bool Start(const std::shared_ptr<State>& st, std::unique_lock<std::mutex>& lock, bool hedged);
  static std::optional<Clock::time_point> Step(const std::shared_ptr<State>& st, std::unique_lock<std::mutex>& lock);
  static std::optional<Clock::time_point> Drive(const std::shared_ptr<State>& st, std::unique_lock<std::mutex>& lock);
  static void Conclude(State& st);
  static void Rearm(const std::shared_ptr<State>& st, std::optional<Clock::time_point> at);
  static void Supervise(const std::shared_ptr<State>& st, std::unique_lock<std::mutex>& lock);
  static RaceOutcome<T> Finish(State& st);
  static RaceOutcome<T> RunFirstInline(const std::shared_ptr<State>& st);
  // The race's "over" flag for an attempt, owned with the State (no
  // allocation of its own).
  static std::shared_ptr<const std::atomic<bool>> OverFlag(const std::shared_ptr<State>& st) {
    return std::shared_ptr<const std::atomic<bool>>(st, &st->over);
  }
};

// --- implementation (a template: here, not in a .cc) ---------------------

// Rings when a caller-busy race is due a step (a hedge, a timeout, the
// deadline): submits that step to a worker. Ring() runs under the clock's
// lock, so it only submits. The race's caller disarms its last alarm before
// Run() returns, so a ringing alarm never holds the last reference. Held in
// the race's State, not on the heap: one fewer allocation per operation.
template <typename T>
class HedgedRace<T>::StepAlarm final : public Alarm {
 public:
  StepAlarm(Clock::time_point at, std::weak_ptr<State> st) : Alarm(at), st_(std::move(st)) {}
  void Ring() override;

 private:
  std::weak_ptr<State> st_;
};

// Shared by the caller, the supervisor and every attempt; outlives whichever
// finishes last. Everything below `mu` is guarded by it.
template <typename T>
struct HedgedRace<T>::State {
  BoundedExecutor* executor = nullptr;
  const RaceOptions* options = nullptr;  // the caller's: used only while Run() runs
  std::size_t candidates = 0;
  Attempt attempt;
  Deadline deadline = Deadline::Never();
  std::atomic<bool> over{false};  // handed to attempts through OverFlag(): it shares the State
  CancelSignal cancel_inline;  // ends the caller's own attempt

  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<T>> result;
  std::optional<std::size_t> winner;
  bool winner_hedged = false;
  std::vector<std::pair<std::size_t, Status>> failures;
  std::size_t outstanding = 0;
  // Per candidate (one allocation per race): whether its attempt finished
  // and the supervisor's bookkeeping — when it started and whether the race
  // already moved on from it (failed, or ran past attempt_timeout). Then the
  // next candidate and the failures already acted on.
  struct Candidate {
    Clock::time_point started_at{};
    bool finished = false;
    bool moved_on = false;
  };
  std::vector<Candidate> per_candidate;
  std::size_t next = 0;
  std::size_t failures_seen = 0;
  Clock::time_point last_start = Clock::now();
  RaceOutcome<T> out;  // counters, until Finish()
  // Event-driven supervision while the caller is in its own attempt (see
  // Drive): one driver at a time; a driver that finds another at work asks
  // it to go round once more.
  bool caller_busy = false;    // the caller is inside its inline attempt
  bool handed_over = false;    // something besides the caller's attempt may run
  bool driving = false;
  bool drive_again = false;
  bool concluded = false;      // Conclude() ran
  std::uint64_t events = 0;    // bumped by every result and every finished Drive
  std::optional<StepAlarm> alarm;  // armed while caller_busy
  std::weak_ptr<State> self;
};

template <typename T>
void HedgedRace<T>::StepAlarm::Ring() {
  std::shared_ptr<State> st = st_.lock();
  if (!st) return;
  // Refused (queue full, shutting down): the caller's own attempt ends by
  // its try deadline and the caller then supervises the race itself.
  st->executor->Submit([st] {
    std::unique_lock lock(st->mu);
    if (!st->caller_busy) return;  // the caller is back and supervises itself
    st->handed_over = true;
    Drive(st, lock);
  });
}

template <typename T>
void HedgedRace<T>::Record(State& st, const RaceAttempt& a, std::optional<Result<T>> r) {
  --st.outstanding;
  ++st.events;
  st.per_candidate[a.candidate].finished = true;
  if (r && !st.over.load(std::memory_order_acquire)) {
    if (r->ok() || ScopeOf(r->status()) == FailureScope::kRequest) {
      if (r->ok()) {
        st.winner = a.candidate;
        st.winner_hedged = a.hedged;
      }
      st.result.emplace(std::move(*r));
      st.over.store(true, std::memory_order_release);
    } else {
      st.failures.emplace_back(a.candidate, r->status());
    }
  }
}

template <typename T>
void HedgedRace<T>::RunAttempt(const std::shared_ptr<State>& st, const RaceAttempt& a) {
  // A queued attempt whose race is already over need not call the vault.
  std::optional<Result<T>> r;
  if (!a.abandoned()) r.emplace(st->attempt(a, st->deadline));
  {
    std::unique_lock lock(st->mu);
    Record(*st, a, std::move(r));
    // While the caller sits in its own vault call, results drive the race.
    if (st->caller_busy && st->handed_over) Drive(st, lock);
  }
  st->cv.notify_all();
}

// Starts candidate st->next on a worker. Returns false if the executor
// refused and the attempt may not run on this thread (hedges).
template <typename T>
bool HedgedRace<T>::Start(const std::shared_ptr<State>& st, std::unique_lock<std::mutex>& lock, bool hedged) {
  RaceAttempt a{st->next, hedged, OverFlag(st)};
  ++st->outstanding;
  lock.unlock();
  bool ran = st->executor->Submit([st, a] { RunAttempt(st, a); });
  const bool rejected = !ran;
  if (rejected && !hedged) {
    RunAttempt(st, a);
    ran = true;
  }
  lock.lock();
  if (rejected) ++st->out.rejected_by_executor;
  if (!ran) {
    --st->outstanding;
    return false;
  }
  st->last_start = Clock::now();
  st->per_candidate[st->next].started_at = st->last_start;
  ++st->next;
  ++st->out.started;
  return true;
}

// Does whatever is due now: failovers after failures and timeouts, the next
// candidate when nothing runs, a hedge whose delay has passed. Returns when
// something is due next (a hedge, a timeout, the deadline), or nothing when
// the race is over: a winner, a request-level failure, every candidate
// failed, or the deadline passed.
template <typename T>
std::optional<Clock::time_point> HedgedRace<T>::Step(const std::shared_ptr<State>& st,
                                                     std::unique_lock<std::mutex>& lock) {
  const RaceOptions& options = *st->options;
  const std::size_t candidates = st->candidates;
  const Deadline& deadline = st->deadline;
  const bool timeouts = options.attempt_timeout.count() > 0;
  RaceOutcome<T>& out = st->out;
  for (;;) {
    if (st->over.load(std::memory_order_acquire)) return std::nullopt;
    if (st->failures_seen < st->failures.size()) {
      const std::size_t failed = st->failures[st->failures_seen++].first;
      // A timed-out attempt that now fails was already failed over from.
      if (!st->per_candidate[failed].moved_on && st->next < candidates) {
        ++out.failovers;
        Start(st, lock, false);
      }
      st->per_candidate[failed].moved_on = true;
      continue;
    }
    // Attempts past attempt_timeout: fail over from them now.
    Clock::time_point timeout_at = Clock::time_point::max();
    bool timed_out = false;
    for (std::size_t c = 0; timeouts && c < st->next; ++c) {
      if (st->per_candidate[c].finished || st->per_candidate[c].moved_on) continue;
      const Clock::time_point at = st->per_candidate[c].started_at + options.attempt_timeout;
      if (Clock::now() >= at) {
        st->per_candidate[c].moved_on = true;
        ++out.timed_out;
        timed_out = true;
      } else {
        timeout_at = std::min(timeout_at, at);
      }
    }
    if (timed_out) {
      if (st->next < candidates) {
        ++out.failovers;
        Start(st, lock, false);
      }
      continue;
    }
    if (st->outstanding == 0) {
      if (st->next >= candidates) return std::nullopt;  // every candidate failed
      Start(st, lock, false);  // nothing running (e.g. a refused hedge): carry on with the next
      continue;
    }
    if (deadline.expired()) {
      out.deadline_passed = true;
      return std::nullopt;
    }
    Clock::time_point wake = std::min(deadline.at(), timeout_at);
    if (!options.hedging || st->next >= candidates) return wake;
    const Clock::time_point hedge_at =
        st->last_start + (options.hedge_delay ? options.hedge_delay(st->next - 1) : std::chrono::milliseconds(0));
    if (Clock::now() < hedge_at) return std::min(wake, hedge_at);
    if (options.abandon_candidate && options.abandon_candidate(st->next - 1)) {
      ++out.failovers;
      Start(st, lock, false);
    } else if ((!options.may_hedge || options.may_hedge()) && Start(st, lock, true)) {
      ++out.hedges;
    } else {
      // Budget spent or executor full: ask again one hedge delay later (at
      // least a millisecond, so a zero delay cannot spin).
      st->last_start = std::max(Clock::now(), hedge_at + std::chrono::milliseconds(1));
    }
  }
}

// The race is over: abandon whatever still runs and note what was outrun.
template <typename T>
void HedgedRace<T>::Conclude(State& st) {
  st.over.store(true, std::memory_order_release);
  st.concluded = true;
  // Outrun: still running now (the caller's own attempt too, though it is
  // about to return cancelled).
  if (st.winner) {
    const Clock::time_point now = Clock::now();
    for (std::size_t c = 0; c < st.next; ++c) {
      if (!st.per_candidate[c].finished && c != *st.winner) {
        const auto ran = now - st.per_candidate[c].started_at;
        st.out.outrun.emplace_back(c, std::chrono::duration_cast<std::chrono::milliseconds>(ran));
      }
    }
  }
}

// Arms the race's alarm at `at` (none: disarmed). Called under st->mu.
template <typename T>
void HedgedRace<T>::Rearm(const std::shared_ptr<State>& st, std::optional<Clock::time_point> at) {
  if (st->alarm && at && st->alarm->at() == *at) return;
  if (st->alarm) {
    st->options->inline_first->Disarm(&*st->alarm);  // once it returns, Ring() is not running
    st->alarm.reset();
  }
  if (at && *at != Clock::time_point::max()) {
    st->alarm.emplace(*at, st->self);
    st->options->inline_first->Arm(&*st->alarm);
  }
}

// Steps the race on whichever thread has news (a result, an alarm, the
// caller back from its attempt), one at a time. While the caller is busy in
// its own attempt, arms the alarm for the next step, and once the race is
// over cancels that attempt: the caller comes back to the winner. Returns
// as Step does; when another thread is driving, max() (it bumps `events`
// when done).
template <typename T>
std::optional<Clock::time_point> HedgedRace<T>::Drive(const std::shared_ptr<State>& st,
                                                      std::unique_lock<std::mutex>& lock) {
  if (st->concluded) return std::nullopt;
  if (st->driving) {
    st->drive_again = true;
    return Clock::time_point::max();
  }
  st->driving = true;
  std::optional<Clock::time_point> wake;
  do {
    st->drive_again = false;
    wake = Step(st, lock);
  } while (wake && st->drive_again);
  st->driving = false;
  ++st->events;
  const bool cancel_caller = !wake && st->caller_busy;
  if (!wake) Conclude(*st);
  if (st->caller_busy) Rearm(st, wake);
  if (cancel_caller) {
    lock.unlock();
    st->cancel_inline.Cancel();  // its listeners shut a socket: not under our lock
    lock.lock();
  }
  st->cv.notify_all();
  return wake;
}

// Runs the race on this thread until it is over.
template <typename T>
void HedgedRace<T>::Supervise(const std::shared_ptr<State>& st, std::unique_lock<std::mutex>& lock) {
  for (;;) {
    const std::optional<Clock::time_point> wake = Drive(st, lock);
    if (!wake) return;
    const std::uint64_t seen = st->events;
    WaitUntil(st->cv, lock, *wake, [&] { return st->events != seen; });
  }
}

// Called with the race over and nobody else touching the bookkeeping.
template <typename T>
RaceOutcome<T> HedgedRace<T>::Finish(State& st) {
  RaceOutcome<T> out = std::move(st.out);
  out.result = std::move(st.result);
  out.winner = st.winner;
  out.winner_hedged = st.winner_hedged;
  out.failures = st.failures;
  return out;
}

// Runs candidates on the caller's thread while nothing else runs: the first,
// then each failover after a vault-level failure (the caller has nothing
// else to do). If the running one is due a hedge or its timeout meanwhile,
// its alarm hands the race over: from then on results and alarms drive it
// on workers (Drive) until the caller is back.
template <typename T>
RaceOutcome<T> HedgedRace<T>::RunFirstInline(const std::shared_ptr<State>& st) {
  const RaceOptions& options = *st->options;
  std::unique_lock lock(st->mu);
  for (;;) {
    const std::size_t c = st->next;
    const RaceAttempt a{c, false, OverFlag(st), /*on_callers_thread=*/true};
    const Clock::time_point now = Clock::now();
    st->outstanding = 1;
    st->next = c + 1;
    st->per_candidate[c].started_at = st->last_start = now;
    ++st->out.started;
    if (c > 0) ++st->out.failovers;
    // When the supervisor would act on this attempt if it were on a worker.
    Clock::time_point due = Clock::time_point::max();
    if (st->next < st->candidates && options.hedging) {
      due = std::min(due, now + (options.hedge_delay ? options.hedge_delay(c) : std::chrono::milliseconds(0)));
    }
    if (st->next < st->candidates && options.attempt_timeout.count() > 0) {
      due = std::min(due, now + options.attempt_timeout);
    }
    st->caller_busy = true;
    Rearm(st, due);
    lock.unlock();
    std::optional<Result<T>> r;
    r.emplace(st->attempt(a, st->deadline.WithCancel(std::shared_ptr<CancelSignal>(st, &st->cancel_inline))));
    lock.lock();
    st->caller_busy = false;
    Rearm(st, std::nullopt);
    Record(*st, a, std::move(r));
    if (st->handed_over) break;  // others may run: supervise as any caller would
    if (st->over.load(std::memory_order_acquire)) {
      // Decided on this thread and nothing else ever ran or waits (never
      // handed over): no supervision to do, nobody to wake.
      Conclude(*st);
      return Finish(*st);
    }
    if (st->next >= st->candidates || st->deadline.expired()) break;
    // A vault-level failure with nobody else running: fail over right here.
    ++st->failures_seen;
    st->per_candidate[c].moved_on = true;
  }
  Supervise(st, lock);  // over already, every candidate failed, the deadline passed, or handed over
  return Finish(*st);
}

template <typename T>
RaceOutcome<T> HedgedRace<T>::Run(BoundedExecutor& executor, std::size_t candidates, Attempt attempt,
                                  const RaceOptions& options, Deadline deadline) {
  if (candidates == 0) return RaceOutcome<T>{};
  auto st = std::make_shared<State>();
  st->self = st;
  st->executor = &executor;
  st->options = &options;
  st->candidates = candidates;
  st->attempt = std::move(attempt);
  st->deadline = deadline;
  st->per_candidate.resize(candidates);
  if (options.inline_first) return RunFirstInline(st);
  std::unique_lock lock(st->mu);
  Start(st, lock, false);
  Supervise(st, lock);
  return Finish(*st);
}

}  // namespace geoekm
