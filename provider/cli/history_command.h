// `geoekm history [--json] --config FILE`: every key version the state
// store recorded for each configured key, oldest first — thumbprint, kty
// and size, created, first and last wrap — and where it lives: per vault
// its version id, enabled, copy status and when it was last verified.
// Reads the store only (works with every vault down). Exit 0, 2 usage,
// 3 could not run.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunHistoryCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
