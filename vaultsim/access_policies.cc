#include "vaultsim/access_policies.h"

namespace geoekm::vaultsim {

bool AccessPolicies::Allowed(const std::string& client_id, const std::string& permission) const {
  std::lock_guard lock(mu_);
  auto it = policies_.find(client_id);
  return it != policies_.end() && it->second.count(permission) != 0;
}

void AccessPolicies::Grant(const std::string& client_id, const std::string& permission) {
  std::lock_guard lock(mu_);
  policies_[client_id].insert(permission);
}

void AccessPolicies::Revoke(const std::string& client_id, const std::string& permission) {
  std::lock_guard lock(mu_);
  auto it = policies_.find(client_id);
  if (it != policies_.end()) it->second.erase(permission);
}

}  // namespace geoekm::vaultsim
