// `geoekm state rebuild --config FILE`: rebuilds the key history in the
// state store from the vaults and says what could not be known.
//
// Thread safety: reentrant.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunStateRebuild(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
