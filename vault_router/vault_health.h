// VaultHealth: outlier detection for one vault (Envoy vocabulary; see
// vault_health_state.h for the state machine).
//
// Fed by the outcome of every call the router makes (HealthSignalOf), it
// ejects a vault after `consecutive_failures_to_eject` failures in a row or
// when the error rate over `error_rate_window` reaches `error_rate_to_eject`
// (with at least OutlierPolicy::min_request_volume outcomes). An ejected
// vault is probed, first after `probe_interval`, then with exponential
// backoff up to `probe_interval_max`; it fails back (healthy again) only once
// probes kept succeeding for `failback_hysteresis`. A 429 puts the vault in a
// throttle cool-down (exponential from retry_base_delay up to
// retry_max_delay) during which the router ranks it after the others; a
// healthy vault that throttles turns suspect (an event, not a failure) and
// is healthy again at its next answer.
//
// Time comes from the caller (`now`) so tests drive it with a fake clock.
// Every method that changes the state returns the event describing it; the
// caller publishes it outside any lock.
//
// Thread safety: all methods may be called concurrently (internal mutex).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "config/vault_set_config.h"
#include "core/deadline.h"
#include "core/status.h"
#include "keyvault/keys/vault_health_state.h"
#include "vault_router/latency_tracker.h"
#include "vault_router/outcome_window.h"
#include "vault_router/router_observer.h"

namespace geoekm {

struct OutlierPolicy {
  RouterTuning tuning;
  // Error-rate ejection needs at least this many outcomes in the window.
  std::uint64_t min_request_volume = 10;
  // An EWMA latency above this makes a vault suspect ("slow"); 0 = the hedge cap.
  std::chrono::milliseconds slow_latency{0};
};

// How the router ranks vaults: lower tiers first, then priority. A suspect
// vault keeps its place (it must see traffic to be ejected or cleared;
// hedging covers its slowness); a throttled one goes behind the others for
// its cool-down; probing and ejected vaults are last resorts.
enum class VaultTier { kPreferred = 0, kThrottled = 1, kProbing = 2, kEjected = 3, kNever = 4 };

struct VaultHealthSnapshot {
  std::string vault;
  VaultHealthState state = VaultHealthState::kHealthy;
  int consecutive_failures = 0;
  std::uint64_t window_outcomes = 0;
  double error_rate = 0.0;
  std::optional<std::chrono::milliseconds> latency_ewma;
  std::optional<std::chrono::milliseconds> latency_p95;
  std::chrono::milliseconds hedge_delay{0};
  bool throttled = false;
  std::uint64_t ejections = 0;
  std::optional<Clock::time_point> next_probe_at;
};

class VaultHealth {
 public:
  VaultHealth(std::string vault, OutlierPolicy policy);
  VaultHealth(const VaultHealth&) = delete;
  VaultHealth& operator=(const VaultHealth&) = delete;

  // The outcome of a call made for traffic (wrap, unwrap, key lookups).
  std::optional<VaultHealthEvent> OnOutcome(Clock::time_point now, const Status& status,
                                            std::chrono::milliseconds latency);

  // If the vault is ejected (or probing) and its next probe is due, marks a
  // probe in flight and returns true; `event` gets ejected → probing.
  bool BeginProbeIfDue(Clock::time_point now, std::optional<VaultHealthEvent>* event);
  std::optional<VaultHealthEvent> OnProbeResult(Clock::time_point now, const Status& status,
                                                std::chrono::milliseconds latency);

  // True if any call to this vault got an answer (success, 404, 400, 429)
  // at or after `since` on the real steady clock: the vault is not silent.
  bool AnsweredSince(Clock::time_point since) const;

  // Final: the vault holds other key material (invariant 2).
  std::optional<VaultHealthEvent> Quarantine(const std::string& reason);

  VaultHealthState state() const;
  VaultTier Tier(Clock::time_point now) const;
  // Adaptive hedge delay: p95 × factor clamped to [floor, cap]; with too
  // few samples for a p95, 2 × the slowest sample × factor, and with none,
  // 2 × expected_rtt × factor (same clamp).
  std::chrono::milliseconds HedgeDelay() const;
  VaultHealthSnapshot Snapshot(Clock::time_point now) const;

 private:
  std::optional<VaultHealthEvent> MoveTo(VaultHealthState to, std::string reason, const Status& cause);
  std::optional<VaultHealthEvent> Eject(Clock::time_point now, std::string reason, const Status& cause);
  std::optional<VaultHealthEvent> Reevaluate(Clock::time_point now, const Status& cause);
  std::chrono::milliseconds HedgeDelayLocked() const;
  bool ThrottledAt(Clock::time_point now) const {
    return now.time_since_epoch().count() < throttled_until_.load(std::memory_order_relaxed);
  }
  // After every change to latency_ (under mu_).
  void RefreshHedgeDelay() { hedge_delay_ms_.store(HedgeDelayLocked().count(), std::memory_order_relaxed); }

  const std::string vault_;
  const OutlierPolicy policy_;
  mutable std::mutex mu_;
  // Written under mu_; state() reads it without the lock: the router asks
  // every vault's state several times per request (ranking, quarantine).
  std::atomic<VaultHealthState> state_{VaultHealthState::kHealthy};
  int consecutive_failures_ = 0;
  OutcomeWindow window_;
  LatencyTracker latency_;
  int consecutive_throttles_ = 0;
  // Written under mu_ and read without it, like state_: Tier() and
  // HedgeDelay() are asked several times per request, of every vault.
  std::atomic<Clock::rep> throttled_until_{Clock::time_point{}.time_since_epoch().count()};
  std::atomic<std::chrono::milliseconds::rep> hedge_delay_ms_{0};
  std::uint64_t ejections_ = 0;
  std::chrono::milliseconds probe_backoff_{0};
  Clock::time_point next_probe_at_{};
  bool probe_in_flight_ = false;
  std::optional<Clock::time_point> recovering_since_;
  Clock::time_point last_answer_{};  // real steady clock, not the injected one
};

}  // namespace geoekm
