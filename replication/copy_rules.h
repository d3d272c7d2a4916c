// The rules a vault's copy of a key version must satisfy for the vault to be
// worth failing over to, shared by the geo-link check and historic-backup
// verification so both word a problem the same way: each rule that fails
// becomes a ReplicationFinding with its reason, the Azure SQL consequence
// and the fix (for Azure CLI users: `az keyvault ...`; geoekm itself never
// deletes, disables, purges or recovers anything, invariant 4).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "replication/replication_finding.h"
#include "replication/vault_inventory.h"

namespace geoekm {

// What the version is to the caller: the current one (wraps and unwraps
// need it) or a historic one (unwraps of old DEKs and backups need it).
enum class VersionRole { kCurrent, kHistoric };

// What Azure SQL reports when a geo-link's two vaults do not hold the same material.
inline constexpr const char* kSameKeyMaterialNotFound = "SameKeyMaterialNotFoundOnRemoteServer";

// The vault's name in Azure CLI commands: the first label of its host.
std::string AzVaultName(const VaultConfig& vault);

// The vault could not be listed (unreachable, refused, forbidden).
ReplicationFinding VaultUnreadableFinding(const VaultHoldings& vault);
// The key name is soft-deleted in the vault: every version is gone there until recovered.
ReplicationFinding KeyDeletedFinding(const VaultHoldings& vault, const std::string& key_name);
// The vault holds no copy of `thumbprint`; `holders` are vaults that do.
ReplicationFinding VersionMissingFinding(const VaultHoldings& vault, const std::string& key_name,
                                         const std::string& thumbprint, VersionRole role,
                                         const std::vector<std::string>& holders);

// Appends a finding for each rule `copy` breaks: enabled, nbf, exp (and exp
// within `expiry_window_s` of `now_s` when that is > 0), key_ops (wrapKey
// and unwrapKey for the current version, unwrapKey for a historic one) and
// unreadable material. `thumbprint` is the version the copy stands for.
void AppendCopyFindings(const VaultHoldings& vault, const std::string& key_name, const VersionCopy& copy,
                        const std::string& thumbprint, VersionRole role, std::int64_t now_s,
                        std::int64_t expiry_window_s, std::vector<ReplicationFinding>& findings);

// The copy of `thumbprint` the vault would best serve with: an enabled one
// if there is one, else the newest; null when the vault holds none.
const VersionCopy* BestCopy(const VaultHoldings& vault, const std::string& thumbprint);

// A 403 naming a missing permission of the identity.
bool MissingPermission(const Status& s);
// A failure the copy rules already report (disabled, expired, key_ops).
bool ExplainedByCopyRules(const Status& s);
// The identity `client_id` lacks `permission` (get, list, wrapKey, unwrapKey) on the vault.
ReplicationFinding PermissionFinding(const VaultHoldings& vault, const std::string& permission, const Status& status,
                                     const std::string& client_id);
// A canary did not wrap, or did not unwrap to the same bytes (`what` says which).
ReplicationFinding CanaryFinding(const VaultHoldings& vault, const std::string& thumbprint, const VersionCopy* copy,
                                 const std::string& what, const Status& status);

// "2026-11-23T06:50:41Z" for unix seconds.
std::string UtcSeconds(std::int64_t unix_s);

}  // namespace geoekm
