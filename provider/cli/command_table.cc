// The table of geoekm commands: the one place a new command is added.
#include "provider/cli/cli_command.h"
#include "provider/cli/config_check_command.h"

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
  };
  return kCommands;
}

}  // namespace geoekm::cli
