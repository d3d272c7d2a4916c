// VaultPipeline: everything one keys data-plane request goes through, in
// the order of README.md: stats, injected faults, bearer token, firewall,
// api-version, route, throttling, access policy, then KeysApi. Adds the
// service's standard response headers.
//
// Thread safety: Handle may be called concurrently; the parts it uses are
// thread-safe.
#pragma once

#include <string>

#include "vaultsim/access_policies.h"
#include "vaultsim/api_message.h"
#include "vaultsim/fault_injector.h"
#include "vaultsim/keys_api.h"
#include "vaultsim/throttler.h"
#include "vaultsim/token_check.h"
#include "vaultsim/vault_config.h"
#include "vaultsim/vault_stats.h"

namespace geoekm::vaultsim {

// What the HTTP adapter must do with the connection.
enum class ConnectionAction { kRespond, kReset, kBlackhole };

struct PipelineResult {
  ConnectionAction action = ConnectionAction::kRespond;
  ApiResponse response;
};

struct VaultParts {
  const VaultConfig* config;
  KeysApi* keys;
  TokenCheck* tokens;
  AccessPolicies* policies;
  Throttler* throttler;
  FaultInjector* faults;
  VaultStats* stats;
};

class VaultPipeline {
 public:
  explicit VaultPipeline(VaultParts parts) : p_(parts) {}

  PipelineResult Handle(const ApiRequest& request);

 private:
  ApiResponse Process(const ApiRequest& request, const KeysRoute& route);
  void AddStandardHeaders(const ApiRequest& request, ApiResponse* response) const;

  VaultParts p_;
};

}  // namespace geoekm::vaultsim
