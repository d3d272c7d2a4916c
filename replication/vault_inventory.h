// VaultInventory: for one key name, what every configured vault holds,
// joined with the state store's history of every version geoekm used. It is
// the one read of the vaults that the geo-link check, historic-backup
// verification, sync and rotation plans are built on, so they all see the
// same facts (docs/ARCHITECTURE.md §Data flow, "Replication").
//
// Per vault: whether it could be listed, and if not why (a Status carrying
// the connector code, e.g. 3004 unreachable or 3077 forbidden) — an
// unreadable vault is a finding, not a failure of the inventory. Per version
// the vault lists: version id, kid, the RFC 7638 thumbprint recomputed from
// n/e (core/jwk_thumbprint.h, invariant 1), kty, key size, key_ops and the
// attributes (enabled, nbf, exp, created). A version whose material cannot be
// read (Key Vault answers 403 to reading a disabled key) keeps its listed
// attributes and the read error; its thumbprint then comes from the state
// store's record of that vault's copy when there is one. When a vault lists
// no version of the name, the soft-deleted look-up says whether the name is
// deleted there and recoverable (§Soft delete).
//
// Taking an inventory only reads: it changes nothing in a vault and writes
// nothing to the state store.
//
// Thread safety: TakeKeyInventory may be called from any thread; it reads
// the vaults on threads of its own (one per vault) and calls
// InventoryOptions::progress from them, so that callback must be
// thread-safe. A KeyInventory is a plain value.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/vault_set_config.h"
#include "core/result.h"
#include "core/status.h"
#include "keyvault/keys/key_types.h"
#include "state/state_records.h"

namespace geoekm {

class VaultSetRuntime;

// Where a copy's thumbprint comes from.
enum class ThumbprintSource {
  kRecomputed,  // from the n/e the vault answered just now
  kHistory,     // material unreadable now; the state store recorded this vault's copy (by version id)
  kUnknown,     // material unreadable and not in the store
};
std::string_view ThumbprintSourceName(ThumbprintSource source);

// One vault's copy of one key version.
struct VersionCopy {
  std::string version;  // the vault's own version id
  std::string kid;      // https://{vault}/keys/{name}/{version}
  std::string thumbprint;  // "" when kUnknown
  ThumbprintSource thumbprint_source = ThumbprintSource::kUnknown;
  // From reading the version (empty / 0 when it could not be read).
  std::string kty;  // "RSA" or "RSA-HSM"
  int key_size_bits = 0;
  std::vector<std::string> key_ops;
  // From the listing, refreshed by the read: enabled, nbf, exp, created, updated.
  KeyAttributes attributes;
  // OK when the material was read; otherwise why not (e.g. 3077 with
  // ForbiddenReason::kKeyDisabled for a disabled version).
  Status read_status;

  bool material_read() const { return read_status.ok(); }
  bool HasKeyOp(std::string_view op) const;
  // Listed attributes; a missing `enabled` counts as enabled (the service default).
  bool enabled() const { return attributes.enabled.value_or(true); }
  // exp is set and at or before `unix_s`.
  bool ExpiredAt(std::int64_t unix_s) const { return attributes.exp && *attributes.exp <= unix_s; }
  // nbf is set and after `unix_s`.
  bool NotYetValidAt(std::int64_t unix_s) const { return attributes.nbf && *attributes.nbf > unix_s; }
};

// What one vault holds under the key name.
struct VaultHoldings {
  VaultConfig vault;  // as configured: name, url, region, geography, priority
  // OK when the vault listed the name's versions (an empty list included);
  // otherwise why it could not be read — then `versions` is empty and says
  // nothing about what the vault holds.
  Status status;
  std::vector<VersionCopy> versions;  // oldest first (created, then version id)
  // The version Key Vault treats as current: what GET /keys/{name}
  // answers, else the newest by `created`. "" when the vault lists none.
  std::string latest_version;
  // Looked up only when the vault listed no version: set when the name is
  // soft-deleted there (every version of it is gone until recovered).
  std::optional<DeletedKeyBundle> deleted;
  // Why the soft-deleted look-up failed (OK when it was not needed or worked).
  Status deleted_lookup_status;
  std::chrono::milliseconds read_time{0};  // wall time spent reading this vault

  bool readable() const { return status.ok(); }
  const VersionCopy* FindVersion(std::string_view version) const;
  // Every copy with this thumbprint (a version imported twice has two).
  std::vector<const VersionCopy*> CopiesOf(std::string_view thumbprint) const;
  const VersionCopy* Latest() const { return FindVersion(latest_version); }
};

// One key version geoekm recorded (state/state_store.h KeyHistory), with
// what the store knows about each vault's copy of it.
struct HistoricVersion {
  KeyVersionRecord version;
  std::vector<VaultKeyCopyRecord> recorded_copies;
};

struct KeyInventory {
  std::string key_name;
  std::int64_t taken_unix_s = 0;        // when the vaults were read
  std::vector<VaultHoldings> vaults;    // in configured priority order
  std::vector<HistoricVersion> history;  // oldest first

  const VaultHoldings* Vault(std::string_view name) const;
  const HistoricVersion* History(std::string_view thumbprint) const;
  // Every thumbprint known: the history's (oldest first), then any other a
  // vault holds (e.g. a rogue key or a version never used for a wrap).
  std::vector<std::string> AllThumbprints() const;
};

struct InventoryOptions {
  // Vault names to read; empty = every configured vault.
  std::vector<std::string> vaults;
  // Budget for reading one vault (listing plus one read per version).
  std::chrono::milliseconds per_vault_deadline{30000};
  // Called as each vault is started and finished ("reading", "done"); from
  // the inventory's threads.
  std::function<void(const std::string& vault, std::string_view what)> progress;
};

// Reads `key_name` in every (selected) vault, in parallel, and the state
// store's history of it. Fails only when it cannot run: an unknown vault
// name in options.vaults (codes::kInvalidArgument, class kInvalidInput) or
// a state store that cannot be read (its error, 5007). A vault that cannot
// be reached or read is reported in its VaultHoldings::status.
Result<KeyInventory> TakeKeyInventory(VaultSetRuntime& runtime, const std::string& key_name,
                                      const InventoryOptions& options = {});

}  // namespace geoekm
