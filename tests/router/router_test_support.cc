#include "tests/router/router_test_support.h"

namespace geoekm::testing {

std::vector<std::string> EventLog::TransitionsOf(const std::string& vault) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const VaultHealthEvent& e : health_)
    if (e.vault == vault)
      out.push_back(std::string(VaultHealthStateName(e.from)) + "->" + std::string(VaultHealthStateName(e.to)));
  return out;
}

}  // namespace geoekm::testing
