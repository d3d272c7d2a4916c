// `geoekm verify-history [--from T1] [--to T2] [--vaults A,B] [--json]
// --config FILE`: can every historic backup still be restored through every
// vault? Runs VerifyHistory (replication/history_verification.h) on the
// first configured key and prints each version in use in the window with
// each vault's answer, Azure SQL's "Target server ... does not have access
// to all AKV Uris created between <t1> and <t2>" per failing vault with the
// versions it lacks, and the fixes, secondaries first. Exit 0 when every
// version is restorable everywhere, 1 otherwise (an unreachable vault too),
// 2 usage, 3 could not run.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunVerifyHistoryCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
