// VaultStats: request counts per operation and per response status, read by
// tests through the admin API (GET /stats).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace geoekm::vaultsim {

class VaultStats {
 public:
  void CountRequest(std::string_view operation);
  void CountStatus(int status);  // 0 = no answer (reset, blackhole)

  // {"requests":{..},"statuses":{..}}
  void AddTo(Poco::JSON::Object& out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> statuses_;
};

}  // namespace geoekm::vaultsim
