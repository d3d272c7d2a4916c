// `vaultsim testbed up|down|status --dir DIR [--base-port P]`: the local
// multi-region testbed (login service + three vaults: eastus and westus in
// geography US, japaneast in JP) as daemonised processes with pid files and
// logs in DIR, the TDE key provisioned with real REST calls, and ready-to-use
// geoekm configs plus a machine-readable DIR/testbed.json. See README.md,
// section "vaultsim testbed".
// `vaultsim testbed kill|start --dir DIR --vault NAME`: SIGKILL one vault (a
// region lost) / start it again on the same ports over the same data dir.
//
// Thread safety: called once from main().
#pragma once

namespace geoekm::vaultsim {

// argv[0] is "testbed"; returns the process exit code (0 ok, 1 failure, 2 usage).
int RunTestbedCommand(int argc, char** argv);

}  // namespace geoekm::vaultsim
