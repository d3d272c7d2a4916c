// vaultsim: local Azure Key Vault (keys) + Entra ID simulator. See README.md.
#include <cstring>
#include <iostream>

#include "vaultsim/login_service.h"
#include "vaultsim/test_pki.h"
#include "vaultsim/testbed_command.h"
#include "vaultsim/vault_process.h"

int main(int argc, char** argv) {
  if (argc >= 2) {
    const char* mode = argv[1];
    if (std::strcmp(mode, "vault") == 0) return geoekm::vaultsim::RunVaultProcess(argc - 1, argv + 1);
    if (std::strcmp(mode, "pki") == 0) return geoekm::vaultsim::RunPkiCommand(argc - 1, argv + 1);
    if (std::strcmp(mode, "login") == 0) return geoekm::vaultsim::RunLoginService(argc - 1, argv + 1);
    if (std::strcmp(mode, "testbed") == 0) return geoekm::vaultsim::RunTestbedCommand(argc - 1, argv + 1);
  }
  std::cerr << "usage: vaultsim vault --config FILE\n"
               "       vaultsim login ...\n"
               "       vaultsim testbed up|down|status --dir DIR [--base-port P]\n"
               "       vaultsim pki --out DIR --hosts h1,h2,... [--client-certs N]\n";
  return 2;
}
