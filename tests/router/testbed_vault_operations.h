// TestbedVaultOperations: KeyVaultOperations for one vault of a vaultsim
// testbed, over tests/support's TestHttpsClient (verified TLS to the vault's
// host name on loopback) with a bearer token fetched once from the testbed's
// login service (client secret). Only the operations the router uses are
// implemented: GetKey, ListKeyVersions, WrapKey, UnwrapKey, ImportKey.
//
// Why it exists: a stand-in for the real KeyVaultClient
// (vault_router/client/) while that lands, so the router can be driven
// against real vault processes (kill, blackhole, latency, 5xx, 429, 403).
// It makes exactly one HTTP try per call (no retries: the router's failover
// and hedging are what is tested); status codes map to error classes as
// shared/spec/akv-protocol.md says (429 throttled, 401 auth, 403 forbidden,
// 404 not found, 400 bad request, 5xx and transport failures transient).
//
// Thread safety: every call opens its own connection; safe for concurrent use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "tests/support/testbed.h"
#include "vault_router/key_vault_operations.h"

namespace geoekm::testing {

// One TestbedVaultOperations per testbed vault, in the testbed's priority order.
Result<std::vector<std::shared_ptr<KeyVaultOperations>>> MakeTestbedVaultOperations(const TestbedInfo& info,
                                                                                   const std::string& client_secret);

}  // namespace geoekm::testing
