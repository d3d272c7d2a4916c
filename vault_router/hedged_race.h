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
// Thread safety: Run() may be called concurrently; Attempt is called on
// worker threads (or the caller's) and must be thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"
#include "vault_router/bounded_executor.h"

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

struct RaceOutcome {
  std::optional<Result<SecureBytes>> result;  // winner or request-level failure; empty = none
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

class HedgedRace {
 public:
  using Attempt = std::function<Result<SecureBytes>(const RaceAttempt&, Deadline)>;

  static RaceOutcome Run(BoundedExecutor& executor, std::size_t candidates, Attempt attempt,
                         const RaceOptions& options, Deadline deadline);
};

}  // namespace geoekm
