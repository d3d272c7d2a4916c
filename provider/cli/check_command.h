// `geoekm check [--vaults A,B] [--expiry-days N] [--json] --config FILE`:
// may a geo-replication link be established between these vaults? Runs
// CheckGeoLink (replication/geo_link_check.h) on the first configured key
// and prints the versions per vault, the permissions, the cross-unwrap
// matrix and the findings in fix order. Exit 0 only when a link is safe,
// 1 with findings (an unreachable vault included), 2 usage, 3 could not run.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
