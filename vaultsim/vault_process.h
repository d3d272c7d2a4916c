// Entry point of `vaultsim vault --config FILE`: loads the config and state,
// serves the keys data plane and the admin API over HTTPS on 127.0.0.1,
// writes the chosen ports to the configured port files and runs until
// SIGTERM/SIGINT.
//
// Thread safety: called once from main().
#pragma once

namespace geoekm::vaultsim {

// argv[0] is "vault"; returns the process exit code.
int RunVaultProcess(int argc, char** argv);

}  // namespace geoekm::vaultsim
