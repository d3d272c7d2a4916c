// `geoekm status [--json] --config FILE`: one row per vault — health as
// recorded by the provider, latency p50/p95 and the last error (connector
// code) over the last hour of the audit, key versions held and days to the
// current key's expiry, read live (replication/vault_status.h). Exit 0 when
// every vault answered and none is recorded ejected or quarantined, 1
// otherwise, 2 usage, 3 could not run.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunStatusCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
