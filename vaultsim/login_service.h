// Entry point of `vaultsim login ...`: the Entra ID login service + IMDS
// simulator (implemented by helper "login" in login_service.cc).
//
// Thread safety: called once from main().
#pragma once

namespace geoekm::vaultsim {

// argv[0] is "login"; returns the process exit code.
int RunLoginService(int argc, char** argv);

}  // namespace geoekm::vaultsim
