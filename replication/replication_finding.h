// ReplicationFinding: one thing wrong with one vault, as the geo-link check
// and historic-backup verification report it — what is wrong, what Azure
// SQL would answer because of it, and what to do — plus the order in which
// to fix the vaults: the secondaries first and the primary last, as the
// seeds prescribe for an existing geo-link (docs/ARCHITECTURE.md §Data flow,
// "Replication").
//
// Thread safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "replication/vault_inventory.h"

namespace geoekm {

enum class FindingKind {
  kVaultUnreadable,    // the vault could not be listed (unreachable, auth, firewall)
  kKeyDeleted,         // the key name is soft-deleted in the vault
  kVersionMissing,     // a version of the history (or the current one) is not held
  kOtherMaterial,      // material under the name that is in no history: a rogue key
  kMaterialUnreadable, // a version is listed but its material cannot be read
  kDisabled,
  kNotYetValid,        // nbf in the future
  kExpired,
  kExpiresSoon,        // exp within the --expiry-days window
  kKeyOpsMissing,      // key_ops lacks wrapKey / unwrapKey
  kKeyTypeDiffers,     // kty or size differ from the other vaults' copies
  kPermissionMissing,  // the identity lacks get, list, wrapKey or unwrapKey
  kCanaryFailed,       // a canary did not wrap/unwrap (to the same bytes)
};
std::string_view FindingKindName(FindingKind kind);

struct ReplicationFinding {
  std::string vault;
  FindingKind kind = FindingKind::kVaultUnreadable;
  std::string thumbprint;  // the key version concerned; "" = the vault as a whole
  std::string version;     // the vault's version id of it, when it has one
  std::string reason;      // what is wrong (operator-facing, secret-free)
  std::string azure_error;  // what Azure SQL would report because of it
  std::string fix;         // what to do about it
  Status status;           // the vault's answer, when one caused the finding
};

// The vaults that have findings, in the order to fix them: the highest
// priority number (the last secondary) first, the primary last.
std::vector<std::string> FixOrder(const KeyInventory& inventory, const std::vector<ReplicationFinding>& findings);

// A thumbprint shortened for tables: the first 12 characters and "…".
std::string ShortThumbprint(std::string_view thumbprint);

}  // namespace geoekm
