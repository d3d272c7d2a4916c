// ConfigArgument: the command line of vaultsim's `login` and `vault` modes,
// which take exactly `--config FILE`.
//
// Thread safety: writes to std::cerr; call from main.
#pragma once

#include <optional>
#include <string>

namespace geoekm::vaultsim {

// FILE from `--config FILE` (argv[0] is the mode), or nullopt after printing
// "usage: vaultsim MODE --config FILE" to stderr; the caller then exits 2.
std::optional<std::string> ConfigArgument(const std::string& mode, int argc, char** argv);

}  // namespace geoekm::vaultsim
