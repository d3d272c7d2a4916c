// VerifyHistory: can every historic backup still be restored? For every key
// version in the state store's history whose use overlaps the window
// [from, to] (use: first wrap to last wrap as recorded; a version whose wrap
// times are unknown, e.g. after a rebuild, always counts), every selected
// vault must hold it (by thumbprint), enabled (a disabled old version puts
// databases in "recovery pending"), its name not soft-deleted (if it is, the
// finding says how to recover it), not expired (Azure SQL treats an expired
// protector as inaccessible, even though the vault would still unwrap), and
// a canary wrapped locally with the version's public key from the history
// must unwrap to the same bytes in that vault.
//
// For each vault that fails, the report carries Azure SQL's own sentence —
// "Target server '<vault>' does not have access to all AKV Uris created
// between <t1> and <t2>. ..." — with the creation times of the versions it
// cannot provide (state/missing_versions_message.h), and names each of them
// (thumbprint, and the kid it has in a vault that holds it).
//
// Reads and unwraps canaries only: nothing in a vault or the store changes.
//
// Thread safety: as TakeKeyInventory; the report is a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "replication/replication_finding.h"
#include "replication/vault_inventory.h"

namespace geoekm {

class VaultSetRuntime;

struct HistoryVerificationOptions {
  std::optional<std::int64_t> from_ms;  // unix ms; none = since the beginning
  std::optional<std::int64_t> to_ms;    // unix ms; none = until now
  std::vector<std::string> vaults;      // empty = every configured vault
  std::function<void(const std::string& vault, std::string_view what)> progress;  // see InventoryOptions
};

// One vault's answer for one historic version.
struct VaultVersionCheck {
  std::string vault;
  std::string version;  // the vault's version id; "" when not held
  std::string kid;
  bool held = false;
  bool canary_ok = false;  // a locally wrapped canary unwrapped to the same bytes
  Status canary_status;    // why not, when held and !canary_ok
};

struct VersionVerification {
  HistoricVersion history;
  // The version's use as recorded: first and last wrap (unix ms); unset = unknown.
  std::optional<std::int64_t> use_from_ms;
  std::optional<std::int64_t> use_to_ms;
  std::vector<VaultVersionCheck> vaults;  // in the inventory's vault order
  // A kid of this version in some vault that holds it ("" when none does).
  std::string known_kid;
};

struct HistoryVerificationReport {
  KeyInventory inventory;
  HistoryVerificationOptions window;
  std::vector<VersionVerification> versions;  // overlapping the window, oldest first
  std::vector<ReplicationFinding> findings;
  std::vector<std::string> fix_order;
  // Per failing vault: Azure SQL's "Target server ... does not have access to
  // all AKV Uris created between <t1> and <t2>. ..." for the versions it cannot provide.
  std::map<std::string, std::string> target_server_messages;

  bool ok() const { return findings.empty(); }
};

// Fails only when it cannot run (as TakeKeyInventory).
Result<HistoryVerificationReport> VerifyHistory(VaultSetRuntime& runtime, const std::string& key_name,
                                                const HistoryVerificationOptions& options = {});

}  // namespace geoekm
