// AccessPolicies: which key permissions each client id (token appid) holds
// on the vault. Starts from the config; the admin API grants and revokes at
// runtime (not persisted: a restarted vault has its configured policies).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

namespace geoekm::vaultsim {

class AccessPolicies {
 public:
  explicit AccessPolicies(std::map<std::string, std::set<std::string>> initial) : policies_(std::move(initial)) {}

  bool Allowed(const std::string& client_id, const std::string& permission) const;
  void Grant(const std::string& client_id, const std::string& permission);
  void Revoke(const std::string& client_id, const std::string& permission);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::set<std::string>> policies_;
};

}  // namespace geoekm::vaultsim
