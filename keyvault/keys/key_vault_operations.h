// KeyVaultOperations: the keys data-plane operations of ONE vault, as the
// router and replication need them. The real implementation is
// KeyVaultClient (HTTPS + Entra ID auth + retries); tests may substitute a
// fake at this seam only.
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

class KeyVaultOperations {
 public:
  virtual ~KeyVaultOperations() = default;

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

  // Opaque backup blob (all versions); restore keeps version ids.
  virtual Result<std::string> BackupKey(const std::string& name, Deadline deadline) = 0;
  virtual Result<KeyBundle> RestoreKey(const std::string& backup_blob, Deadline deadline) = 0;

  virtual Result<KeyBundle> ImportKey(const std::string& name, const PrivateRsaJwk& jwk, bool hsm,
                                      const KeyAttributes& attributes, Deadline deadline) = 0;
  virtual Result<KeyBundle> CreateKey(const std::string& name, const KeyCreateOptions& options,
                                      Deadline deadline) = 0;
  virtual Result<KeyBundle> RotateKey(const std::string& name, Deadline deadline) = 0;
  virtual Result<KeyBundle> UpdateKey(const std::string& name, const std::string& version,
                                      const KeyUpdateOptions& options, Deadline deadline) = 0;
};

}  // namespace geoekm
