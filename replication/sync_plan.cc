#include "replication/sync_plan.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>

namespace geoekm {
namespace {

std::string IsoTime(std::int64_t unix_s) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(unix_s)),
                                         Poco::DateTimeFormat::ISO8601_FORMAT);
}

// "version <thumbprint> (created <t>, first seen <t>)": how the operator
// finds the right escrow copy.
std::string DescribeVersion(const KeyInventory& inventory, const std::string& thumbprint) {
  std::string out = "version " + thumbprint;
  if (const HistoricVersion* h = inventory.History(thumbprint)) {
    out += " (";
    if (h->version.created) out += "created " + IsoTime(*h->version.created) + ", ";
    out += "first seen " + IsoTime(h->version.first_seen_ms / 1000) + ")";
  }
  return out;
}

int Rank(SyncAction a) {
  switch (a) {
    case SyncAction::kRestoreFromBackup: return 0;
    case SyncAction::kImportFromEscrow: return 1;
    case SyncAction::kNeedsEscrow: return 2;
    case SyncAction::kBlocked: return 3;
  }
  return 4;
}

// The same-geography vault (other than `target`) holding most of `missing`;
// nullptr when none holds any.
const VaultHoldings* BestRestoreSource(const KeyInventory& inventory, const VaultHoldings& target,
                                       const std::vector<std::string>& missing) {
  const VaultHoldings* best = nullptr;
  std::size_t best_count = 0;
  for (const VaultHoldings& h : inventory.vaults) {
    if (&h == &target || !h.readable() || h.vault.geography != target.vault.geography) continue;
    const std::size_t count = static_cast<std::size_t>(std::count_if(
        missing.begin(), missing.end(), [&](const std::string& t) { return !h.CopiesOf(t).empty(); }));
    if (count > best_count) {  // ties: the first in priority order
      best = &h;
      best_count = count;
    }
  }
  return best;
}

void PlanVault(const KeyInventory& inventory, const VaultHoldings& target,
               const std::optional<std::string>& escrow_thumbprint, std::vector<SyncStep>& steps) {
  std::vector<std::string> missing;
  for (const HistoricVersion& h : inventory.history) {
    if (target.CopiesOf(h.version.thumbprint).empty()) missing.push_back(h.version.thumbprint);
  }
  if (missing.empty()) return;
  SyncStep base;
  base.vault = target.vault.name;
  base.geography = target.vault.geography;
  if (!target.readable()) {
    SyncStep s = base;
    s.action = SyncAction::kBlocked;
    s.thumbprints = missing;
    s.reason = "the vault could not be read (" + target.status.ToString() +
               "); what it holds is unknown: run sync again once it answers";
    steps.push_back(std::move(s));
    return;
  }
  if (target.deleted) {
    SyncStep s = base;
    s.action = SyncAction::kBlocked;
    s.thumbprints = missing;
    s.reason = "key " + inventory.key_name + " is soft-deleted in this vault, so neither a restore nor an import "
               "can create it (409 Conflict): recover it (az keyvault key recover --vault-name <vault> --name " +
               inventory.key_name + ") and run sync again; geoekm never recovers, purges or deletes keys";
    steps.push_back(std::move(s));
    return;
  }
  if (target.versions.empty()) {
    if (const VaultHoldings* source = BestRestoreSource(inventory, target, missing)) {
      SyncStep s = base;
      s.action = SyncAction::kRestoreFromBackup;
      s.source_vault = source->vault.name;
      for (const std::string& t : missing) {
        if (!source->CopiesOf(t).empty()) s.thumbprints.push_back(t);
      }
      std::erase_if(missing, [&](const std::string& t) { return !source->CopiesOf(t).empty(); });
      s.reason = source->vault.name + " (same geography " + target.vault.geography + ") holds " +
                 std::to_string(s.thumbprints.size()) + " missing version(s) and this vault has no key " +
                 inventory.key_name + ": its backup restores here with the same version ids";
      steps.push_back(std::move(s));
    }
  }
  for (const std::string& t : missing) {
    SyncStep s = base;
    s.thumbprints = {t};
    // Why a backup does not do: said once per step so each row stands alone.
    const bool same_geo_holder = std::any_of(inventory.vaults.begin(), inventory.vaults.end(), [&](const auto& h) {
      return &h != &target && h.readable() && h.vault.geography == target.vault.geography && !h.CopiesOf(t).empty();
    });
    const std::string why_not_backup =
        same_geo_holder ? "a backup cannot restore here because the vault already has a key named " + inventory.key_name
                        : "no vault of geography " + target.vault.geography + " holds it, and a backup restores only "
                          "within its geography";
    if (escrow_thumbprint && *escrow_thumbprint == t) {
      s.action = SyncAction::kImportFromEscrow;
      s.reason = why_not_backup + "; the escrow given holds this material: imported as a new version (new version "
                 "id, same thumbprint)";
    } else {
      s.action = SyncAction::kNeedsEscrow;
      s.reason = why_not_backup + "; needed: the escrow copy of " + DescribeVersion(inventory, t) +
                 (escrow_thumbprint ? " (the escrow given holds " + *escrow_thumbprint + ")" : "") +
                 ": run sync --escrow FILE --passphrase-file FILE with it";
    }
    steps.push_back(std::move(s));
  }
}

// The set's current version: the newest version of the most preferred
// readable vault, when it is in the history ("" otherwise: nothing to keep).
std::string CurrentThumbprint(const KeyInventory& inventory) {
  for (const VaultHoldings& v : inventory.vaults) {
    if (!v.readable()) continue;
    const VersionCopy* latest = v.Latest();
    if (!latest || latest->thumbprint.empty() || !inventory.History(latest->thumbprint)) return "";
    return latest->thumbprint;
  }
  return "";
}

// Key Vault's current version of a name is its newest: an import of an older
// version (or other material someone imported) makes that the vault's
// current one, and a router preferring this vault would wrap with it. When a
// vault's newest after the planned steps is not the set's current version,
// the current material is imported once more (from its escrow) so that it is
// the newest again.
void KeepCurrentNewest(const KeyInventory& inventory, const std::optional<std::string>& escrow_thumbprint,
                       std::vector<SyncStep>& steps) {
  const std::string current = CurrentThumbprint(inventory);
  if (current.empty()) return;
  for (const VaultHoldings& v : inventory.vaults) {
    if (!v.readable() || v.deleted) continue;
    std::string newest = v.Latest() ? v.Latest()->thumbprint : "";
    for (const SyncStep& s : steps) {
      if (s.vault != v.vault.name) continue;
      if (s.action == SyncAction::kImportFromEscrow) newest = s.thumbprints.back();
      if (s.action == SyncAction::kRestoreFromBackup) {
        const VaultHoldings* source = inventory.Vault(s.source_vault);
        if (source && source->Latest()) newest = source->Latest()->thumbprint;
      }
      if (s.action == SyncAction::kNeedsEscrow || s.action == SyncAction::kBlocked) newest = "";  // not yet known
    }
    if (newest.empty() || newest == current) continue;
    const std::string why = "this vault's newest version (" + newest + ") is not the current version " + current +
                            ", so a router preferring it would wrap with that";
    const bool have = escrow_thumbprint && *escrow_thumbprint == current;
    steps.push_back(SyncStep{
        .action = have ? SyncAction::kImportFromEscrow : SyncAction::kNeedsEscrow,
        .vault = v.vault.name,
        .geography = v.vault.geography,
        .source_vault = {},
        .thumbprints = {current},
        .reason = have ? why + "; the current version is imported once more from the escrow so it is the newest again"
                       : why + "; needed: the escrow copy of the current " + DescribeVersion(inventory, current) +
                             ", imported once more so it is the newest again",
        .new_versions = {},
        .outcome = std::nullopt});
  }
}

}  // namespace

std::string_view SyncActionName(SyncAction action) {
  switch (action) {
    case SyncAction::kRestoreFromBackup: return "restore-from-backup";
    case SyncAction::kImportFromEscrow: return "import-from-escrow";
    case SyncAction::kNeedsEscrow: return "needs-escrow";
    case SyncAction::kBlocked: return "blocked";
  }
  return "?";
}

bool SyncPlan::complete() const {
  return std::all_of(steps.begin(), steps.end(), [](const SyncStep& s) { return s.outcome && s.outcome->ok(); });
}

SyncPlan PlanSync(const KeyInventory& inventory, const std::optional<std::string>& escrow_thumbprint) {
  SyncPlan plan;
  plan.key_name = inventory.key_name;
  plan.history_versions = inventory.history.size();
  for (const VaultHoldings& target : inventory.vaults) PlanVault(inventory, target, escrow_thumbprint, plan.steps);
  KeepCurrentNewest(inventory, escrow_thumbprint, plan.steps);
  std::stable_sort(plan.steps.begin(), plan.steps.end(),
                   [](const SyncStep& a, const SyncStep& b) { return Rank(a.action) < Rank(b.action); });
  return plan;
}

}  // namespace geoekm
