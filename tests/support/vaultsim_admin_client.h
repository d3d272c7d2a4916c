// VaultSimAdminClient: drives a vaultsim vault's admin port (faults,
// permissions, key attributes, firewall, stats; vaultsim/README.md).
// Every call returns true on HTTP 200; Stats() an empty object on failure.
//
// Thread safety: not thread-safe (one HTTPS connection); make one per thread.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_https_client.h"

namespace geoekm::testing {

class VaultSimAdminClient {
 public:
  VaultSimAdminClient(const std::string& host, int admin_port, const std::string& ca_file, const std::string& token);

  // Body as README "Faults", e.g. R"({"error":{"status":503,"rate":0.3}})".
  bool SetFaults(const std::string& json);
  bool ClearFaults();
  bool SetLatency(int fixed_ms, int jitter_ms = 0, const std::vector<std::string>& operations = {});
  bool SetErrorRate(int status, double rate, const std::vector<std::string>& operations = {}, int count = 0);
  bool SetReset(double rate, const std::vector<std::string>& operations = {}, int count = 0);
  bool SetBlackhole(bool on);
  bool SetThrottleStorm(bool on, bool retry_after = true, int retry_after_seconds = 1);
  bool SetFirewallDeny(bool deny);
  bool Grant(const std::string& client_id, const std::vector<std::string>& permissions);
  bool Revoke(const std::string& client_id, const std::vector<std::string>& permissions);
  // Empty version = latest. nullopt leaves a field unchanged.
  bool SetKeyAttributes(const std::string& name, const std::string& version, std::optional<bool> enabled,
                        std::optional<std::int64_t> nbf = std::nullopt, std::optional<std::int64_t> exp = std::nullopt);

  Poco::JSON::Object::Ptr Stats();
  std::int64_t RequestCount(const std::string& operation);  // from Stats(); 0 if none
  std::int64_t ConnectionsAccepted();                       // from Stats(); -1 on failure

  TestResponse last_response() const { return last_; }

 private:
  bool Post(const std::string& path, const std::string& body);

  TestHttpsClient client_;
  TestResponse last_;
};

}  // namespace geoekm::testing
