#include "provider/cli/config_check_command.h"

#include "config/config_loader.h"
#include "provider/cli/cli_command.h"
#include "provider/cli/vault_set_printer.h"

namespace geoekm::cli {

int RunConfigCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || (!args[0].empty() && args[0][0] == '-')) {
    err << "geoekm config check: expected exactly one FILE argument\n"
           "Usage: geoekm config check FILE\n";
    return kExitUsage;
  }
  Result<VaultSetConfig> config = LoadVaultSetConfig(args[0]);
  if (!config.ok()) {
    err << config.status().ToString() << "\n";
    return kExitProblem;
  }
  PrintVaultSet(*config, out);
  return kExitOk;
}

}  // namespace geoekm::cli
