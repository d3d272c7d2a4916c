// `geoekm drill --config FILE [...]`: runs a failover drill on a vault set
// (provider/drill/failover_drill.h) and prints the report.
//
// Thread safety: reentrant.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunDrillCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
