// `geoekm config check FILE`: validates a vault-set configuration and prints
// what geoekm understood (never secrets), or every error to stderr.
//
// Thread safety: reentrant.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunConfigCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
