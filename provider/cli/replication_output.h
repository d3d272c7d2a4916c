// Output shared by the replication commands (check, verify-history, and
// what sync/rotate may reuse): a vault inventory and findings as --json
// members, and findings as the human "fix in this order" list, so that every
// command names problems, Azure's answer and the fix in the same words.
//
// Thread safety: pure functions.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <ostream>
#include <string>
#include <vector>

#include "core/status.h"
#include "replication/replication_finding.h"
#include "replication/vault_inventory.h"

namespace geoekm::cli {

Poco::JSON::Object::Ptr StatusJson(const Status& status);  // {"code","message","vault","http_status"}
// {"key", "taken", "vaults": [{name, region, geography, priority, readable, status, deleted, versions: [...]}], "history": [...]}
Poco::JSON::Object::Ptr InventoryJson(const KeyInventory& inventory);
Poco::JSON::Array::Ptr FindingsJson(const std::vector<ReplicationFinding>& findings);

// "fix in this order (secondaries first, the primary last):" then each
// vault of `order` with its findings: reason, Azure's answer, the fix.
void PrintFindingsInFixOrder(const std::vector<ReplicationFinding>& findings, const std::vector<std::string>& order,
                             std::ostream& out);

// "enabled", "DISABLED", "exp 2026-12-15", ... one short cell for a copy.
std::string CopyCell(const VersionCopy& copy, std::int64_t now_s);

}  // namespace geoekm::cli
