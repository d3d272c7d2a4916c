#include "vault_router/vault_set.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include "core/error_codes.h"

namespace geoekm {

VaultSet::VaultSet(std::vector<RoutedVault> vaults, RouterOptions options) : options_(std::move(options)) {
  OutlierPolicy policy;
  policy.tuning = options_.tuning;
  policy.min_request_volume = options_.min_request_volume;
  members_.reserve(vaults.size());
  for (RoutedVault& rv : vaults) {
    Member m;
    m.name = rv.name;
    m.priority = rv.priority;
    m.ops = std::move(rv.ops);
    m.host = std::move(rv.host);
    m.port = rv.port;
    m.health = std::make_unique<VaultHealth>(rv.name, policy);
    m.attempts_in_flight = std::make_unique<std::atomic<std::size_t>>(0);
    members_.push_back(std::move(m));
  }
}

Clock::time_point VaultSet::Now() const { return options_.clock ? options_.clock() : Clock::now(); }

Deadline VaultSet::AttemptDeadline(Deadline caller) const {
  return caller.Earlier(Deadline::After(options_.tuning.try_timeout));
}

bool VaultSet::Quarantined(std::size_t v) const {
  return members_[v].health->state() == VaultHealthState::kQuarantined;
}

std::vector<std::size_t> VaultSet::Ranked() const {
  const auto now = Now();
  // Each vault's tier read once (it may change meanwhile; a sort needs one
  // answer), kept on the stack for the usual handful of vaults: the result
  // is the only allocation per request.
  constexpr std::size_t kOnStack = 16;
  std::array<int, kOnStack> tier_on_stack{};
  std::vector<int> tier_on_heap;
  int* tier = tier_on_stack.data();
  if (members_.size() > kOnStack) {
    tier_on_heap.resize(members_.size());
    tier = tier_on_heap.data();
  }
  std::vector<std::size_t> out;
  out.reserve(members_.size());
  for (std::size_t v = 0; v < members_.size(); ++v) {
    tier[v] = static_cast<int>(members_[v].health->Tier(now));
    if (tier[v] != static_cast<int>(VaultTier::kNever)) out.push_back(v);
  }
  std::sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(tier[a], members_[a].priority, a) < std::tie(tier[b], members_[b].priority, b);
  });
  return out;
}

void VaultSet::ReportCall(const Member& m, VaultCall kind, const std::string& key_name,
                          const std::string& thumbprint, const Status& status, std::chrono::milliseconds latency,
                          const RaceAttempt* attempt) const {
  if (!options_.observer) return;
  VaultCallEvent e;
  e.call = kind;
  e.vault = m.name;
  e.key_name = key_name;
  e.thumbprint = thumbprint;
  e.outcome_code = status.code();
  e.error_class = status.error_class();
  e.http_status = status.http_status();
  e.latency = latency;
  e.request_id = status.request_id();
  e.hedged = attempt && attempt->hedged;
  e.abandoned = attempt && attempt->abandoned();
  options_.observer->OnVaultCall(e);
}

void VaultSet::RecordProbe(std::size_t v, const std::string& key_name, const Status& status,
                           std::chrono::milliseconds latency) {
  Member& m = members_[v];
  counters_.probes++;
  if (!status.ok()) counters_.probe_failures++;
  Publish(m.health->OnProbeResult(Now(), status, latency));
  ReportCall(m, VaultCall::kProbe, key_name, "", status, latency, nullptr);
}

void VaultSet::Publish(const std::optional<VaultHealthEvent>& event) {
  if (!event) return;
  if (event->to == VaultHealthState::kEjected) counters_.ejections++;
  if (event->to == VaultHealthState::kQuarantined) counters_.quarantines++;
  if (event->from == VaultHealthState::kProbing && event->to == VaultHealthState::kHealthy) counters_.failbacks++;
  if (options_.observer) options_.observer->OnHealthChange(*event);
}

Status VaultSet::InvalidArgument(std::string message) const {
  Status refused(codes::kInvalidArgument, ErrorClass::kInvalidInput, std::move(message));
  if (options_.observer) options_.observer->OnRefusedRequest(RefusedRequestEvent{refused.code(), refused.message()});
  return refused;
}

Status VaultSet::QuarantinedStatus(std::size_t v) const {
  return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                "vault '" + members_[v].name + "' is quarantined (other key material)")
      .WithVault(members_[v].name);
}

void VaultSet::ReportCopy(std::size_t v, const std::string& key_name, const std::string& thumbprint,
                          KeyCopyFinding finding, std::string detail, const KeyBundle* bundle,
                          const std::string& observed_thumbprint) const {
  if (!options_.observer) return;
  KeyCopyEvent e;
  e.vault = members_[v].name;
  e.key_name = key_name;
  e.thumbprint = thumbprint;
  e.finding = finding;
  e.observed_thumbprint = observed_thumbprint;
  e.detail = std::move(detail);
  if (bundle) e.bundle = *bundle;
  options_.observer->OnKeyCopy(e);
}

void VaultSet::QuarantineVault(std::size_t v, const std::string& key_name, const std::string& expected_thumbprint,
                               const std::string& observed_thumbprint, const std::string& reason) {
  auto event = members_[v].health->Quarantine(reason);
  if (!event) return;  // already quarantined: reported once
  Publish(event);
  ReportCopy(v, key_name, expected_thumbprint, KeyCopyFinding::kMismatch, reason, nullptr, observed_thumbprint);
}

RouterStats VaultSet::CountersSnapshot() const {
  const Counters& c = counters_;
  RouterStats s;
  s.unwraps = c.unwraps;
  s.unwrap_failures = c.unwrap_failures;
  s.unwraps_coalesced = c.unwraps_coalesced;
  s.wraps = c.wraps;
  s.wrap_failures = c.wrap_failures;
  s.vault_calls = c.vault_calls;
  s.vault_call_failures = c.vault_call_failures;
  s.throttled_responses = c.throttled_responses;
  s.failovers = c.failovers;
  s.hedges = c.hedges;
  s.hedge_wins = c.hedge_wins;
  s.hedges_refused = c.hedges_refused;
  s.abandoned_results = c.abandoned_results;
  s.ejections = c.ejections;
  s.failbacks = c.failbacks;
  s.quarantines = c.quarantines;
  s.probes = c.probes;
  s.probe_failures = c.probe_failures;
  s.verifications = c.verifications;
  s.version_not_everywhere = c.version_not_everywhere;
  s.wraps_with_previous_version = c.wraps_with_previous_version;
  s.recorder_failures = c.recorder_failures;
  s.attempts_skipped = c.attempts_skipped;
  return s;
}

}  // namespace geoekm
