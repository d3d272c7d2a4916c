// `geoekm sync --config FILE [--apply] [--escrow FILE --passphrase-file FILE]
// [--key NAME] [--json]`: makes every vault hold every key version of the
// history (replication/sync_plan.h, sync_apply.h). Without --apply it only
// prints the plan. Exit 0 when nothing is (or is left) to do, 1 when the
// plan has steps left (dry run, needed escrow, a blocked or failed step),
// 2 usage, 3 could not run (configuration, state store, escrow/passphrase
// unreadable, authority unreachable).
//
// Thread safety: reentrant.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunSyncCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
