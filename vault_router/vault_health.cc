#include "vault_router/vault_health.h"

#include <algorithm>
#include <cmath>

#include "core/error_codes.h"
#include "vault_router/failure_scope.h"

namespace geoekm {

namespace {

// "transient error 3019 (HTTP 503): <message>", the message cut short: a
// health reason must say what happened (connection refused, outrun, ...)
// and fit the store's reason column. Status messages carry no secrets.
std::string Describe(const Status& s) {
  constexpr std::size_t kMaxMessage = 200;
  std::string message = s.message().substr(0, kMaxMessage);
  if (s.message().size() > kMaxMessage) message += "...";
  return std::string(ErrorClassName(s.error_class())) + " error " + std::to_string(s.code()) +
         (s.http_status() ? " (HTTP " + std::to_string(s.http_status()) + ")" : std::string()) +
         (message.empty() ? std::string() : ": " + message);
}

std::chrono::milliseconds ToMillis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

}  // namespace

VaultHealth::VaultHealth(std::string vault, OutlierPolicy policy)
    : vault_(std::move(vault)),
      policy_(std::move(policy)),
      window_(std::chrono::duration_cast<std::chrono::milliseconds>(policy_.tuning.error_rate_window)) {
  RefreshHedgeDelay();
}

std::optional<VaultHealthEvent> VaultHealth::MoveTo(VaultHealthState to, std::string reason, const Status& cause) {
  if (state_ == to) return std::nullopt;
  VaultHealthEvent e;
  e.vault = vault_;
  e.from = state_.load(std::memory_order_relaxed);
  e.to = to;
  e.reason = std::move(reason);
  e.error_code = cause.code();
  e.http_status = cause.http_status();
  state_.store(to, std::memory_order_release);
  return e;
}

std::optional<VaultHealthEvent> VaultHealth::Eject(Clock::time_point now, std::string reason, const Status& cause) {
  ++ejections_;
  probe_backoff_ = std::max(std::chrono::milliseconds(1), policy_.tuning.probe_interval);
  next_probe_at_ = now + probe_backoff_;
  recovering_since_.reset();
  return MoveTo(VaultHealthState::kEjected, std::move(reason), cause);
}

std::optional<VaultHealthEvent> VaultHealth::Reevaluate(Clock::time_point now, const Status& cause) {
  const RouterTuning& t = policy_.tuning;
  const OutcomeWindow::Counts counts = window_.CountsAt(now);
  const auto total = counts.total;
  const double rate = counts.error_rate();
  if (consecutive_failures_ >= std::max(1, t.consecutive_failures_to_eject)) {
    return Eject(now, std::to_string(consecutive_failures_) + " consecutive failures, last: " + Describe(cause), cause);
  }
  if (total >= policy_.min_request_volume && rate >= t.error_rate_to_eject) {
    return Eject(now,
                 "error rate " + std::to_string(static_cast<int>(std::lround(rate * 100))) + "% over the last " +
                     std::to_string(total) + " calls, last: " + Describe(cause),
                 cause);
  }
  const auto slow = policy_.slow_latency.count() > 0 ? policy_.slow_latency : t.hedge_delay_cap;
  const auto ewma = latency_.ewma();
  if (consecutive_failures_ > 0) {
    return MoveTo(VaultHealthState::kSuspect, "failure: " + Describe(cause), cause);
  }
  if (total >= policy_.min_request_volume && rate >= t.error_rate_to_eject / 2) {
    return MoveTo(VaultHealthState::kSuspect,
                  "error rate " + std::to_string(static_cast<int>(std::lround(rate * 100))) + "%", cause);
  }
  if (ewma && latency_.samples() >= LatencyTracker::kMinSamples && *ewma > slow) {
    return MoveTo(VaultHealthState::kSuspect, "slow: average latency " + std::to_string(ewma->count()) + " ms", cause);
  }
  return MoveTo(VaultHealthState::kHealthy, "answering again", cause);
}

std::optional<VaultHealthEvent> VaultHealth::OnOutcome(Clock::time_point now, const Status& status,
                                                       std::chrono::milliseconds latency) {
  std::lock_guard lock(mu_);
  const HealthSignal signal = HealthSignalOf(status);
  if (signal == HealthSignal::kNone) return std::nullopt;
  // A 429 is an answer too: the vault is alive, only over its limit, so
  // calls of it that another vault outran meanwhile are not held against it.
  if (signal != HealthSignal::kFailure) last_answer_ = Clock::now();
  if (signal == HealthSignal::kThrottled) {
    ++consecutive_throttles_;
    const auto base = std::max(std::chrono::milliseconds(1), policy_.tuning.retry_base_delay);
    const int shift = std::min(consecutive_throttles_ - 1, 20);
    const std::chrono::milliseconds cooldown = base * (std::int64_t{1} << shift);
    const std::chrono::milliseconds ranked_last = std::min(cooldown, std::max(base, policy_.tuning.retry_max_delay));
    throttled_until_.store((now + ranked_last).time_since_epoch().count(), std::memory_order_relaxed);
    // Not a failure (nothing counts towards ejection), but a state change an
    // operator must see: a healthy vault that throttles becomes suspect until
    // it answers again. Ejected/probing vaults keep their state.
    if (state_ != VaultHealthState::kHealthy) return std::nullopt;
    return MoveTo(VaultHealthState::kSuspect,
                  "throttled: " + Describe(status) + "; ranked after the others for " +
                      std::to_string(ranked_last.count()) + " ms",
                  status);
  }
  // Ejected/probing vaults only change through probes (or quarantine); a
  // last-resort call that fails while probing sends it back to ejected.
  if (state_ == VaultHealthState::kQuarantined || state_ == VaultHealthState::kEjected) return std::nullopt;
  if (state_ == VaultHealthState::kProbing) {
    if (signal == HealthSignal::kFailure) {
      probe_in_flight_ = false;
      return Eject(now, "failed while recovering: " + Describe(status), status);
    }
    return std::nullopt;
  }
  if (signal == HealthSignal::kFailure) {
    ++consecutive_failures_;
    window_.Add(now, false);
  } else {
    consecutive_failures_ = 0;
    consecutive_throttles_ = 0;
    window_.Add(now, true);
    if (signal == HealthSignal::kSuccess) {
      latency_.Add(latency);
      RefreshHedgeDelay();
    }
  }
  return Reevaluate(now, status);
}

bool VaultHealth::BeginProbeIfDue(Clock::time_point now, std::optional<VaultHealthEvent>* event) {
  std::lock_guard lock(mu_);
  if (probe_in_flight_) return false;
  if (state_ != VaultHealthState::kEjected && state_ != VaultHealthState::kProbing) return false;
  if (now < next_probe_at_) return false;
  probe_in_flight_ = true;
  if (state_ == VaultHealthState::kEjected) {
    auto e = MoveTo(VaultHealthState::kProbing, "probing after " + std::to_string(probe_backoff_.count()) + " ms",
                    Status::Ok());
    if (event) *event = std::move(e);
  }
  return true;
}

std::optional<VaultHealthEvent> VaultHealth::OnProbeResult(Clock::time_point now, const Status& status,
                                                           std::chrono::milliseconds latency) {
  std::lock_guard lock(mu_);
  probe_in_flight_ = false;
  if (state_ != VaultHealthState::kProbing) return std::nullopt;  // quarantined meanwhile
  const RouterTuning& t = policy_.tuning;
  if (!status.ok()) {
    probe_backoff_ = std::min(probe_backoff_ * 2, std::max(t.probe_interval, t.probe_interval_max));
    next_probe_at_ = now + probe_backoff_;
    recovering_since_.reset();
    ++ejections_;
    return MoveTo(VaultHealthState::kEjected,
                  "probe failed: " + Describe(status) + "; next probe in " + std::to_string(probe_backoff_.count()) +
                      " ms",
                  status);
  }
  if (!recovering_since_) recovering_since_ = now;
  const auto stable = now - *recovering_since_;
  if (stable >= t.failback_hysteresis) {
    consecutive_failures_ = 0;
    consecutive_throttles_ = 0;
    window_.Clear();
    latency_.Clear();
    latency_.Add(latency);
    RefreshHedgeDelay();
    recovering_since_.reset();
    return MoveTo(VaultHealthState::kHealthy,
                  "probes succeeded for " + std::to_string(ToMillis(stable).count()) + " ms: failing back",
                  status);
  }
  probe_backoff_ = std::max(std::chrono::milliseconds(1), t.probe_interval);
  next_probe_at_ = now + probe_backoff_;
  return std::nullopt;
}

std::optional<VaultHealthEvent> VaultHealth::Quarantine(const std::string& reason) {
  std::lock_guard lock(mu_);
  Status cause(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity, reason);
  return MoveTo(VaultHealthState::kQuarantined, reason, cause);
}

bool VaultHealth::AnsweredSince(Clock::time_point since) const {
  std::lock_guard lock(mu_);
  return last_answer_ >= since;
}

VaultHealthState VaultHealth::state() const { return state_.load(std::memory_order_acquire); }

VaultTier VaultHealth::Tier(Clock::time_point now) const {
  switch (state_.load(std::memory_order_acquire)) {
    case VaultHealthState::kQuarantined: return VaultTier::kNever;
    case VaultHealthState::kEjected: return VaultTier::kEjected;
    case VaultHealthState::kProbing: return VaultTier::kProbing;
    case VaultHealthState::kSuspect:
    case VaultHealthState::kHealthy:
      return ThrottledAt(now) ? VaultTier::kThrottled : VaultTier::kPreferred;
  }
  return VaultTier::kEjected;
}

// Before a percentile can be trusted, the delay comes from what is known
// rather than the cap (a cold router whose primary is silent would otherwise
// wait the whole cap before asking the next vault): the slowest of the few
// samples there are, or, with none, the configured expected_rtt treated as
// one sample. A single sample says little about the tail, so it is scaled
// by kFewSamplesMargin on top of the factor: with the defaults, 50 ms x 2 x 2
// = 200 ms.
std::chrono::milliseconds VaultHealth::HedgeDelayLocked() const {
  constexpr double kFewSamplesMargin = 2.0;
  const RouterTuning& t = policy_.tuning;
  double basis_ms = 0;
  if (const auto p95 = latency_.p95()) {
    basis_ms = static_cast<double>(p95->count());
  } else {
    const auto worst = latency_.max();
    basis_ms = static_cast<double>(worst ? worst->count() : t.expected_rtt.count()) * kFewSamplesMargin;
  }
  const auto scaled = std::chrono::milliseconds(
      static_cast<std::chrono::milliseconds::rep>(std::ceil(basis_ms * t.hedge_latency_factor)));
  return std::clamp(scaled, t.hedge_delay_floor, std::max(t.hedge_delay_floor, t.hedge_delay_cap));
}

std::chrono::milliseconds VaultHealth::HedgeDelay() const {
  return std::chrono::milliseconds(hedge_delay_ms_.load(std::memory_order_relaxed));
}

VaultHealthSnapshot VaultHealth::Snapshot(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  VaultHealthSnapshot s;
  s.vault = vault_;
  s.state = state_;
  s.consecutive_failures = consecutive_failures_;
  const OutcomeWindow::Counts counts = window_.CountsAt(now);
  s.window_outcomes = counts.total;
  s.error_rate = counts.error_rate();
  s.latency_ewma = latency_.ewma();
  s.latency_p95 = latency_.p95();
  s.hedge_delay = HedgeDelay();
  s.throttled = ThrottledAt(now);
  s.ejections = ejections_;
  if (state_ == VaultHealthState::kEjected || state_ == VaultHealthState::kProbing) s.next_probe_at = next_probe_at_;
  return s;
}

}  // namespace geoekm
