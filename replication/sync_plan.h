// SyncPlan: what `geoekm sync` would do to make every vault hold every key
// version of the history (the state store's key versions, oldest first),
// decided from one KeyInventory (replication/vault_inventory.h) — nothing
// here calls a vault.
//
// Per vault and missing version, in this order (docs/ARCHITECTURE.md
// §Backup blobs):
//   1. a readable vault of the same geography holds it AND the target holds
//      no key of that name (not even soft-deleted) → restore the holder's
//      backup (keeps the version ids; a backup carries every version of the
//      name, so one restore may cover several missing versions);
//   2. otherwise the escrow given holds that material (same thumbprint) →
//      import it as a new version of the same name (new version id, same
//      thumbprint);
//   3. otherwise the step names exactly which escrow copy is needed (the
//      thumbprint and when the version was first seen).
// Afterwards every vault's newest version must be the set's current version
// (the newest of the most preferred readable vault, when it is in the
// history): Key Vault's current version of a name is its newest, so an
// import of an older version — or other material someone imported — would
// make a router preferring that vault wrap with it. Such a vault gets one
// more import of the current material (from its escrow), or a step naming it.
// A target that cannot be read, or whose name is soft-deleted, gets a
// blocked step saying why; geoekm never recovers, purges or deletes.
// Versions a vault holds that are not in the history (a rogue key, a
// version never recorded) are never copied anywhere.
//
// Thread safety: plain values and a pure function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "replication/vault_inventory.h"

namespace geoekm {

enum class SyncAction {
  kRestoreFromBackup,  // backup `source_vault`, restore into `vault`
  kImportFromEscrow,   // import the escrow's key into `vault`
  kNeedsEscrow,        // nothing to copy from: the escrow of `thumbprint` is needed
  kBlocked,            // the vault cannot take a copy now (unreadable, soft-deleted); `reason` says why
};
std::string_view SyncActionName(SyncAction action);

struct SyncStep {
  SyncAction action = SyncAction::kNeedsEscrow;
  std::string vault;         // the target
  std::string geography;     // the target's
  std::string source_vault;  // kRestoreFromBackup: the holder backed up
  // The versions this step brings (by thumbprint, oldest first): one for an
  // import, every missing version the holder has for a restore.
  std::vector<std::string> thumbprints;
  std::string reason;  // operator-facing: why this action, what to do
  // Filled by ApplySync: the version ids created in `vault` and the outcome.
  std::vector<std::string> new_versions;
  std::optional<Status> outcome;  // nullopt = not attempted
};

struct SyncPlan {
  std::string key_name;
  std::size_t history_versions = 0;
  std::vector<SyncStep> steps;  // restores first, then imports (oldest version first), then the rest

  bool nothing_to_do() const { return steps.empty(); }
  // True when every step was applied and verified.
  bool complete() const;
};

// `escrow_thumbprint`: the thumbprint of the escrow the operator gave (none
// = no escrow).
SyncPlan PlanSync(const KeyInventory& inventory, const std::optional<std::string>& escrow_thumbprint);

}  // namespace geoekm
