#include "provider/cli/drill_command.h"

#include "config/config_loader.h"
#include "provider/cli/cli_command.h"
#include "provider/cli/command_options.h"
#include "provider/drill/drill_report.h"
#include "provider/drill/failover_drill.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm::cli {

int RunDrillCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto options = CommandOptions::Parse(
      args, {"config", "deks", "concurrency", "primary", "outage-command", "recover-command", "failback-timeout-s"});
  if (!options.ok()) {
    err << "geoekm drill: " << options.status().message() << "\n";
    return kExitUsage;
  }
  auto file = options->Get("config");
  if (!file) {
    err << "geoekm drill: --config FILE is required\n";
    return kExitUsage;
  }
  auto deks = options->GetInt("deks", 20, 1, 100000);
  auto concurrency = options->GetInt("concurrency", 8, 1, 512);
  auto failback = options->GetInt("failback-timeout-s", 120, 1, 3600);
  for (const Status* s : {&deks.status(), &concurrency.status(), &failback.status()}) {
    if (!s->ok()) {
      err << "geoekm drill: " << s->message() << "\n";
      return kExitUsage;
    }
  }
  DrillOptions drill;
  drill.deks = static_cast<int>(*deks);
  drill.concurrency = static_cast<int>(*concurrency);
  drill.failback_timeout = std::chrono::seconds(*failback);
  drill.primary = options->Get("primary").value_or("");
  drill.outage_command = options->Get("outage-command").value_or("");
  drill.recover_command = options->Get("recover-command").value_or("");
  if (drill.outage_command.empty() != drill.recover_command.empty()) {
    err << "geoekm drill: --outage-command and --recover-command go together\n";
    return kExitUsage;
  }

  auto config = LoadVaultSetConfig(*file);
  if (!config.ok()) {
    err << config.status().ToString() << "\n";
    return kExitProblem;
  }
  if (!drill.primary.empty()) {
    bool known = false;
    for (const VaultConfig& v : config->vaults) known = known || v.name == drill.primary;
    if (!known) {
      err << "geoekm drill: --primary " << drill.primary << " is not a vault of " << *file << "\n";
      return kExitUsage;
    }
  }
  auto runtime = VaultSetRuntime::Open(*config);
  if (!runtime.ok()) {
    err << runtime.status().ToString() << "\n";
    return kExitProblem;
  }
  out << "geoekm drill: vault set '" << config->provider.set_name << "', " << config->vaults.size()
      << " vaults, state " << config->provider.state_path << "\n";
  out.flush();
  DrillResult result = RunFailoverDrill(**runtime, drill);
  StateStore& store = (*runtime)->store();  // waits until the drill's events are written
  result.state_writer = (*runtime)->recorder().writer_stats();
  PrintDrillReport(result, store, out);
  return result.passed() ? kExitOk : kExitProblem;
}

}  // namespace geoekm::cli
