// VaultHealthState: where one vault stands in the router's outlier detection
// (Envoy vocabulary).
//
//   healthy ──failure / 429 / slow──▶ suspect ──N consecutive failures / error rate──▶ ejected
//      ▲                                 │ answers (in time)                            │ probe due
//      └─────────────────────────────────┘                                              ▼
//      └──────────── probes kept succeeding for the failback hysteresis ──────────── probing
//                                                                 (a failed probe ──▶ ejected)
//   any ──other key material under the configured name──▶ quarantined (final)
//
// Thread safety: constants and pure functions.
#pragma once

#include <string_view>

namespace geoekm {

enum class VaultHealthState { kHealthy, kSuspect, kEjected, kProbing, kQuarantined };

// "healthy", "suspect", "ejected", "probing", "quarantined"
std::string_view VaultHealthStateName(VaultHealthState state);

}  // namespace geoekm
