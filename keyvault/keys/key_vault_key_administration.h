// KeyVaultKeyAdministration: the operations that change key material in ONE
// vault — backup and restore, import (BYOK), create, rotate and update
// attributes (docs/ARCHITECTURE.md §Key paths, §Backup blobs). Replication
// uses it to bring a key's versions to every vault; the router never does
// (it holds only the KeyVaultKeys port, keyvault/keys/key_vault_keys.h), so
// router fakes need not implement it. KeyVaultClient implements both.
//
// There is deliberately no delete or purge (docs/ARCHITECTURE.md, invariant 4).
//
// Thread safety: implementations must be safe for concurrent use by many
// threads.
#pragma once

#include <string>

#include "core/deadline.h"
#include "core/result.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

class KeyVaultKeyAdministration {
 public:
  virtual ~KeyVaultKeyAdministration() = default;

  // The configured name of this vault (for errors, logs, events); the same
  // name as the vault's KeyVaultKeys::vault_name().
  virtual const std::string& vault_name() const = 0;

  // Opaque backup blob (all versions); restore keeps the name and version ids
  // and is refused when the name exists (§Backup blobs).
  virtual Result<std::string> BackupKey(const std::string& name, Deadline deadline) = 0;
  virtual Result<KeyBundle> RestoreKey(const std::string& backup_blob, Deadline deadline) = 0;

  // A new version with the given private material (new version id, same thumbprint).
  virtual Result<KeyBundle> ImportKey(const std::string& name, const PrivateRsaJwk& jwk, bool hsm,
                                      const KeyAttributes& attributes, Deadline deadline) = 0;
  virtual Result<KeyBundle> CreateKey(const std::string& name, const KeyCreateOptions& options,
                                      Deadline deadline) = 0;
  virtual Result<KeyBundle> RotateKey(const std::string& name, Deadline deadline) = 0;
  virtual Result<KeyBundle> UpdateKey(const std::string& name, const std::string& version,
                                      const KeyUpdateOptions& options, Deadline deadline) = 0;
};

}  // namespace geoekm
