// KeyVaultDeletedKeys: read-only look-up of a soft-deleted key in ONE vault
// (GET /deletedkeys/{name}; docs/ARCHITECTURE.md §Soft delete). The geo-link
// check and historic-backup verification use it to tell "this vault never
// had the key" from "the key was deleted and can still be recovered".
//
// Why its own interface and not a member of KeyVaultKeyAdministration: the
// commands that need it (check, verify-history) only read, and giving them
// the interface that imports and restores key material would widen what a
// read-only command can do. The router's port (KeyVaultKeys) stays as small
// as the router needs. KeyVaultClient implements all three. There is
// deliberately no recover, delete or purge here (invariant 4): recovering is
// an operator's decision, which geoekm names but does not take.
//
// Thread safety: implementations must be safe for concurrent use by many
// threads.
#pragma once

#include <optional>
#include <string>

#include "core/deadline.h"
#include "core/result.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

class KeyVaultDeletedKeys {
 public:
  virtual ~KeyVaultDeletedKeys() = default;

  // The configured name of this vault; the same as KeyVaultKeys::vault_name().
  virtual const std::string& vault_name() const = 0;

  // The deleted key of that name (its latest version's public parts, the
  // recovery id and dates), nullopt when the vault holds no deleted key of
  // that name (the vault answered 404), or the error.
  virtual Result<std::optional<DeletedKeyBundle>> GetDeletedKey(const std::string& name, Deadline deadline) = 0;
};

}  // namespace geoekm
