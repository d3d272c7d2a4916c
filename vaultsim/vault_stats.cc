#include "vaultsim/vault_stats.h"

namespace geoekm::vaultsim {

void VaultStats::CountRequest(std::string_view operation) {
  std::lock_guard lock(mu_);
  ++requests_[std::string(operation)];
}

void VaultStats::CountStatus(int status) {
  std::lock_guard lock(mu_);
  ++statuses_[status == 0 ? "none" : std::to_string(status)];
}

void VaultStats::AddTo(Poco::JSON::Object& out) const {
  std::lock_guard lock(mu_);
  Poco::JSON::Object::Ptr requests = new Poco::JSON::Object;
  std::uint64_t total = 0;
  for (const auto& [op, n] : requests_) {
    requests->set(op, n);
    total += n;
  }
  Poco::JSON::Object::Ptr statuses = new Poco::JSON::Object;
  for (const auto& [s, n] : statuses_) statuses->set(s, n);
  out.set("requests", requests);
  out.set("requests_total", total);
  out.set("statuses", statuses);
}

}  // namespace geoekm::vaultsim
