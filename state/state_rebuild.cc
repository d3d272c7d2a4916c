// StateStore::Rebuild: reconstructs key history from what the vaults hold
// (docs/ARCHITECTURE.md, invariant 3, "if the store is lost it can be rebuilt"). Kept apart
// from state_store.cc because it is a recovery procedure, not a hot path.
#include <map>
#include <set>

#include "state/sqlite_statement.h"
#include "state/sqlite_transaction.h"
#include "state/state_store.h"

namespace geoekm {

Result<RebuildReport> StateStore::Rebuild(const std::vector<VaultKeyListing>& listings) {
  std::lock_guard lock(mu_);
  const std::int64_t now = Now();
  RebuildReport report;

  auto tx = SqliteTransaction::BeginImmediate(connection_);
  if (!tx.ok()) return tx.status();

  auto count = connection_.Prepare("SELECT count(*) FROM key_versions");
  if (!count.ok()) return count.status();
  auto counted = count->Step();
  if (!counted.ok()) return counted.status();
  const bool store_was_empty = count->Int64(0) == 0;

  for (const VaultKeyListing& listing : listings) {
    Status status = UpsertVaultLocked(listing.vault, now);
    if (!status.ok()) return status;
  }

  std::set<std::string> key_names;                        // names any vault listed
  std::map<std::string, std::set<std::string>> held;      // vault -> thumbprints it listed
  std::map<std::string, std::string> name_of;             // thumbprint -> first key name seen
  std::set<std::string> added;
  std::set<std::string> already_known;

  for (const VaultKeyListing& listing : listings) {
    const std::string& vault = listing.vault.name;
    if (!listing.listed) {
      report.vaults_not_read.push_back({vault, listing.read_error});
      continue;
    }
    held[vault];
    for (const KeyBundle& bundle : listing.versions) {
      auto thumbprint = ValidateVersionLocked(bundle);
      if (!thumbprint.ok()) {
        report.rejected.push_back({vault, bundle.kid, thumbprint.status().message()});
        continue;
      }
      const std::string& tp = *thumbprint;
      key_names.insert(bundle.name);
      auto [it, first] = name_of.emplace(tp, bundle.name);
      if (!first && it->second != bundle.name) {
        report.unknowns.push_back("key version " + tp + " is named '" + it->second + "' in one vault and '" +
                                  bundle.name + "' in vault " + vault + "; recorded under the first name");
      }
      auto inserted = InsertKeyVersionLocked(bundle, tp, now, /*as_wrap=*/false);
      if (!inserted.ok()) return inserted.status();
      if (*inserted) {
        added.insert(tp);
      } else if (!added.count(tp)) {
        already_known.insert(tp);
      }
      Status status = UpsertCopyLocked(vault, tp, &bundle, CopyStatus::kVerified, now, "rebuilt from vault listing",
                                       "", now);
      if (!status.ok()) return status;
      held[vault].insert(tp);
      ++report.copies_verified;
    }
  }

  // Versions of the listed key names that a listed vault does not hold.
  for (const std::string& key_name : key_names) {
    auto versions = connection_.Prepare("SELECT thumbprint FROM key_versions WHERE key_name = ?");
    if (!versions.ok()) return versions.status();
    versions->BindAll(key_name);
    std::vector<std::string> thumbprints;
    for (;;) {
      auto row = versions->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      thumbprints.push_back(versions->Text(0));
    }
    for (const auto& [vault, thumbprints_held] : held) {
      for (const std::string& tp : thumbprints) {
        if (thumbprints_held.count(tp)) continue;
        Status status = UpsertCopyLocked(vault, tp, nullptr, CopyStatus::kMissing, std::nullopt,
                                         "not in the vault's listing during rebuild", "", now);
        if (!status.ok()) return status;
        ++report.copies_marked_missing;
      }
    }
  }

  Status status = tx->Commit();
  if (!status.ok()) return status;

  for (const auto& [tp, name] : name_of) known_thumbprints_.insert(tp);
  for (const VaultKeyListing& listing : listings) known_vaults_.insert(listing.vault.name);
  // Copies may have changed status; let the next wrap re-check them.
  wrap_marks_.clear();

  report.versions_added = static_cast<int>(added.size());
  report.versions_already_known = static_cast<int>(already_known.size());
  report.versions_without_wrap_history.assign(added.begin(), added.end());
  if (!added.empty()) {
    report.unknowns.push_back(std::to_string(added.size()) +
                              " key version(s) have no wrap history (first/last wrap unknown): the vaults do not "
                              "record which versions wrapped data, so treat every one as possibly protecting "
                              "databases or backups");
  }
  for (const UnreadVault& unread : report.vaults_not_read) {
    report.unknowns.push_back("vault " + unread.vault + " could not be read (" + unread.reason.ToString() +
                              "): its copies keep their previous status");
  }
  for (const RejectedBundle& r : report.rejected) {
    report.unknowns.push_back("vault " + r.vault + " returned an unusable key version " + r.kid + ": " + r.reason);
  }
  report.unknowns.push_back(
      "key versions that no vault holds any more cannot be recovered from the vaults: backups wrapped with them "
      "are not listed here");
  if (store_was_empty) {
    report.unknowns.push_back(
        "the store held no key history before this rebuild: earlier health events and operations audit are lost");
  }
  return report;
}

}  // namespace geoekm
