// The testbed's TDE protector: an RSA-2048 key generated locally and escrowed
// (private JWK, 0600), imported (BYOK) into the first vault, backed up and
// restored into the other vault of the same geography (same version id), and
// imported from escrow into the vault of the other geography (new version
// id, same JWK thumbprint) — all with real REST calls over verified TLS.
//
// A key created inside a vault cannot be escrowed, which is why the testbed
// imports instead of creating the key in the first vault.
//
// Thread safety: functions; call from one thread.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "vaultsim/testbed_https.h"

namespace geoekm::vaultsim {

struct TestbedVaultEndpoint {
  std::string name;       // eastus
  std::string host;       // geoekm-eastus.vault.test
  int port = 0;
  std::string geography;  // US
};

struct TdeKeyCopy {
  std::string vault;    // endpoint name
  std::string kid;      // https://<host>:<port>/keys/<name>/<version>
  std::string version;
};

struct TdeKeyResult {
  std::string thumbprint;  // RFC 7638, shared by every copy
  std::vector<TdeKeyCopy> copies;
};

// Writes the escrow JWK (0600) to escrow_file. vaults[0] gets the import;
// every later vault of vaults[0]'s geography gets a restore of its backup,
// every vault of another geography gets an import of the escrow.
Result<TdeKeyResult> ProvisionTdeKey(const TestbedHttps& https, const std::string& bearer_token,
                                     const std::vector<TestbedVaultEndpoint>& vaults, const std::string& key_name,
                                     const std::string& escrow_file);

}  // namespace geoekm::vaultsim
