// vaultsim: local Azure Key Vault (keys) + Entra ID simulator. See README.md.
#include <cstring>
#include <iostream>

#include "deploy/vaultsim/test_pki.h"
#include "deploy/vaultsim/vault_process.h"
#ifdef VAULTSIM_HAS_LOGIN_SERVICE
#include "deploy/vaultsim/login_service.h"
#endif
#if __has_include("deploy/vaultsim/testbed_command.h")
#define VAULTSIM_HAS_TESTBED 1
#include "deploy/vaultsim/testbed_command.h"
#endif

int main(int argc, char** argv) {
  if (argc >= 2) {
    const char* mode = argv[1];
    if (std::strcmp(mode, "vault") == 0) return geoekm::vaultsim::RunVaultProcess(argc - 1, argv + 1);
    if (std::strcmp(mode, "pki") == 0) return geoekm::vaultsim::RunPkiCommand(argc - 1, argv + 1);
#ifdef VAULTSIM_HAS_LOGIN_SERVICE
    if (std::strcmp(mode, "login") == 0) return geoekm::vaultsim::RunLoginService(argc - 1, argv + 1);
#endif
#ifdef VAULTSIM_HAS_TESTBED
    if (std::strcmp(mode, "testbed") == 0) return geoekm::vaultsim::RunTestbedCommand(argc - 1, argv + 1);
#endif
  }
  std::cerr << "usage: vaultsim vault --config FILE\n"
               "       vaultsim login ...\n"
               "       vaultsim testbed up|down|status --dir DIR [--base-port P]\n"
               "       vaultsim pki --out DIR --hosts h1,h2,... [--client-certs N]\n";
  return 2;
}
