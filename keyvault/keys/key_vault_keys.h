// KeyVaultKeys: the router's port onto ONE vault — read a key, list its
// versions, wrap and unwrap (docs/ARCHITECTURE.md §Key paths). This is all
// the router needs, so router unit tests substitute a fake here and nowhere
// else. Changing key material in a vault (backup, restore, import, create,
// rotate, update) is the separate KeyVaultKeyAdministration interface
// (keyvault/keys/key_vault_key_administration.h), used by replication and
// tests; KeyVaultClient implements both.
//
// There is deliberately no delete or purge (docs/ARCHITECTURE.md, invariant 4).
//
// Thread safety: implementations must be safe for concurrent use by many
// threads.
#pragma once

#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

class KeyVaultKeys {
 public:
  virtual ~KeyVaultKeys() = default;

  // The configured name of this vault (for errors, logs, events).
  virtual const std::string& vault_name() const = 0;

  // version empty = latest.
  virtual Result<KeyBundle> GetKey(const std::string& name, const std::string& version, Deadline deadline) = 0;
  // Every version, following nextLink.
  virtual Result<std::vector<KeyVersionItem>> ListKeyVersions(const std::string& name, Deadline deadline) = 0;

  virtual Result<Bytes> WrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                const SecureBytes& plaintext, Deadline deadline) = 0;
  virtual Result<SecureBytes> UnwrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                        const Bytes& wrapped, Deadline deadline) = 0;
};

}  // namespace geoekm
