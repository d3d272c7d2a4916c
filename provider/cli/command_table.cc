// The table of geoekm commands: the one place a new command is added.
#include "provider/cli/cli_command.h"
#include "provider/cli/config_check_command.h"
#include "provider/cli/drill_command.h"
#include "provider/cli/state_rebuild_command.h"

namespace geoekm::cli {

const std::vector<CliCommand>& CliCommands() {
  static const std::vector<CliCommand> kCommands = {
      {{"config", "check"},
       "FILE",
       "validate a vault-set configuration (.ini or .json) and print it",
       "Reads FILE (INI or JSON, chosen by the extension), checks every rule of the\n"
       "configuration reference (README.md) and prints the vault set as\n"
       "geoekm understood it: provider, vaults in priority order, the credential kind\n"
       "(never a secret), router tuning and warnings. On errors, prints all of them\n"
       "to stderr, each with its file, line or key path, and exits 1.\n",
       &RunConfigCheck},
      {{"drill"},
       "--config FILE [--deks N] [--concurrency N] [--primary VAULT]\n"
       "      [--outage-command CMD --recover-command CMD] [--failback-timeout-s S]\n"
       "      [--library PATH | --router]",
       "run a failover drill on a vault set and print the report",
       "Goes through the provider library libgeoekm-ekm.so as SQL Server does\n"
       "(dlopen, the 17 SqlCrypt* functions, GEOEKM_CONFIG=FILE, a session named\n"
       "after the vault set): opens the key by name, encrypts N random DEKs,\n"
       "decrypts them, then (with the outage/recover commands) runs the outage\n"
       "command (e.g. kill the primary region), decrypts every DEK concurrently\n"
       "through the remaining vaults, runs the recover command, waits until geoekm\n"
       "has failed back to the primary on its own, and decrypts them again. Prints\n"
       "the phases, what the state store recorded and every check. Never deletes\n"
       "or changes keys.\n"
       "--library PATH: the library to load (default: the one built with this\n"
       "geoekm, else the installed one). --router: call the router in this\n"
       "process instead of the library.\n"
       "Exit 0 when every check passed, 1 otherwise.\n",
       &RunDrillCommand},
      {{"state", "rebuild"},
       "--config FILE",
       "rebuild the key-version history in the state store from the vaults",
       "Reads every version of every configured key from every vault, identifies\n"
       "them by JWK thumbprint and merges them into the state store (history is\n"
       "never rewritten). Prints what was added and what the vaults cannot tell\n"
       "(which versions wrapped DEKs, and when). Exit 0 when every vault was read.\n",
       &RunStateRebuild},
  };
  return kCommands;
}

}  // namespace geoekm::cli
