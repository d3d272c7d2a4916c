// Maps a vault's configuration onto the Key Vault layer's own options
// (keyvault/ does not know config/): where the vault is and how to reach it
// (KeyVaultEndpoint) and how one call is retried (KeyVaultClientOptions).
// A vault's own connect/try timeouts win over the router's defaults.
//
// Thread safety: pure functions.
#pragma once

#include <memory>

#include "config/vault_set_config.h"
#include "core/result.h"
#include "keyvault/keys/key_vault_client.h"

namespace geoekm {

KeyVaultEndpoint KeyVaultEndpointFor(const VaultConfig& vault, const RouterTuning& tuning);

// `options` with the retry fields taken from `tuning`; the rest as given.
KeyVaultClientOptions WithRetriesFrom(const RouterTuning& tuning, KeyVaultClientOptions options = {});

// KeyVaultClient::Create over the two mappings above.
Result<std::unique_ptr<KeyVaultClient>> MakeKeyVaultClient(const VaultConfig& vault, const RouterTuning& tuning,
                                                           std::shared_ptr<VaultAuthenticator> auth,
                                                           KeyVaultClientOptions options = {});

}  // namespace geoekm
