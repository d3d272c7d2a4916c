// Helpers of the write-side replication tests (sync, rotate, availability
// group): configuration variants of the testbed's INI (other key names,
// another state file), an escrow + private passphrase file, and a client
// of one vault for arranging what it holds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/vault_set_config.h"
#include "core/result.h"
#include "keyvault/keys/key_vault_client.h"
#include "replication/local_rsa_key.h"
#include "tests/support/testbed.h"

namespace geoekm::testing {

// The testbed's geoekm.ini with `key_names` and/or `state_path` replaced
// ("" keeps the original), written to DIR/<file_name>; returns its path.
std::string WriteConfigVariant(const TestbedInfo& info, const std::string& file_name, const std::string& key_names,
                               const std::string& state_path);

// DIR/<name> holding `passphrase`, mode 0600.
std::string WritePassphraseFile(const TestbedInfo& info, const std::string& name, const std::string& passphrase);

// A KeyVaultClient of one vault of `config` (the testbed's credential).
Result<std::shared_ptr<KeyVaultClient>> ClientOf(const VaultSetConfig& config, const std::string& vault);

// Every version id of `key` in `vault` whose thumbprint is `thumbprint`.
std::vector<std::string> VersionsWith(const VaultSetConfig& config, const std::string& vault, const std::string& key,
                                      const std::string& thumbprint);

}  // namespace geoekm::testing
