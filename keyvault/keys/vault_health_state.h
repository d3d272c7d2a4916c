// VaultHealthState and VaultHealthEvent: where one vault stands in the
// router's outlier detection (Envoy vocabulary), and a change of it. The
// router decides them; the state store records them under the same names
// (health_events, vaults.health_state), so both share this one vocabulary
// (header-only, in the Key Vault data model both depend on).
//
//   healthy ──failure / 429 / slow──▶ suspect ──N consecutive failures / error rate──▶ ejected
//      ▲                                 │ answers (in time)                            │ probe due
//      └─────────────────────────────────┘                                              ▼
//      └──────────── probes kept succeeding for the failback hysteresis ──────────── probing
//                                                                 (a failed probe ──▶ ejected)
//   any ──other key material under the configured name──▶ quarantined (final)
//
// Thread safety: constants, pure functions and plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace geoekm {

enum class VaultHealthState { kHealthy, kSuspect, kEjected, kProbing, kQuarantined };

// "healthy", "suspect", "ejected", "probing", "quarantined"
inline std::string_view VaultHealthStateName(VaultHealthState state) {
  switch (state) {
    case VaultHealthState::kHealthy: return "healthy";
    case VaultHealthState::kSuspect: return "suspect";
    case VaultHealthState::kEjected: return "ejected";
    case VaultHealthState::kProbing: return "probing";
    case VaultHealthState::kQuarantined: return "quarantined";
  }
  return "unknown";
}

// The inverse of VaultHealthStateName; also reads "degraded", the word state
// files written before the vocabularies were merged use for kSuspect.
// Anything else is nullopt.
inline std::optional<VaultHealthState> ParseVaultHealthState(std::string_view name) {
  for (VaultHealthState s : {VaultHealthState::kHealthy, VaultHealthState::kSuspect, VaultHealthState::kEjected,
                             VaultHealthState::kProbing, VaultHealthState::kQuarantined}) {
    if (VaultHealthStateName(s) == name) return s;
  }
  if (name == "degraded") return VaultHealthState::kSuspect;
  return std::nullopt;
}

// One health state change the router decided on.
struct VaultHealthEvent {
  std::string vault;
  VaultHealthState from = VaultHealthState::kHealthy;
  VaultHealthState to = VaultHealthState::kHealthy;
  std::string reason;   // operator-facing, secret-free (like Status::message); the store keeps 512 bytes
  int error_code = 0;   // connector/geoekm code of the failure that caused it, 0 if none
  int http_status = 0;
};

}  // namespace geoekm
