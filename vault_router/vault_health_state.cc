#include "vault_router/vault_health_state.h"

namespace geoekm {

std::string_view VaultHealthStateName(VaultHealthState state) {
  switch (state) {
    case VaultHealthState::kHealthy: return "healthy";
    case VaultHealthState::kSuspect: return "suspect";
    case VaultHealthState::kEjected: return "ejected";
    case VaultHealthState::kProbing: return "probing";
    case VaultHealthState::kQuarantined: return "quarantined";
  }
  return "unknown";
}

}  // namespace geoekm
