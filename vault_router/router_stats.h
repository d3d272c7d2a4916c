// RouterStats: counters of the router's decisions since it was created, for
// the CLI, metrics and tests. A snapshot; the router keeps atomics.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>

namespace geoekm {

struct RouterStats {
  std::uint64_t unwraps = 0;             // Unwrap() calls
  std::uint64_t unwrap_failures = 0;
  std::uint64_t unwraps_coalesced = 0;   // answered by an identical unwrap in flight
  std::uint64_t unwraps_waiting = 0;     // now: callers waiting for an identical unwrap (a gauge)
  std::uint64_t wraps = 0;               // Wrap() calls
  std::uint64_t wrap_failures = 0;
  std::uint64_t vault_calls = 0;         // every call made to a vault (incl. lookups, excl. probes)
  std::uint64_t vault_call_failures = 0;
  std::uint64_t throttled_responses = 0; // 429s seen
  std::uint64_t failovers = 0;           // attempts started because an earlier one failed at vault level
  std::uint64_t hedges = 0;              // speculative attempts started after the hedge delay
  std::uint64_t hedge_wins = 0;          // unwraps answered by a hedged attempt
  std::uint64_t hedges_refused = 0;      // hedges the budget refused + attempts a full executor refused
  std::uint64_t abandoned_results = 0;   // attempts that finished after their race was decided
  std::uint64_t ejections = 0;           // transitions into ejected
  std::uint64_t failbacks = 0;           // transitions probing -> healthy
  std::uint64_t quarantines = 0;         // vaults quarantined for other key material
  std::uint64_t probes = 0;
  std::uint64_t probe_failures = 0;
  std::uint64_t verifications = 0;       // GetKey reads whose thumbprint was recomputed
  std::uint64_t version_not_everywhere = 0;  // wraps refused: version missing somewhere
  std::uint64_t wraps_with_previous_version = 0;  // the current version was not everywhere yet: an
                                                  // older version of the history wrapped instead
  std::uint64_t recorder_failures = 0;   // wraps failed because the key version was not recorded
  std::uint64_t attempts_skipped = 0;    // unwrap attempts failed over without a call (vault ejected
                                         // meanwhile, or at max_attempts_per_vault)
};

}  // namespace geoekm
