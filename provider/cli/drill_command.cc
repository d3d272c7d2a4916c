#include "provider/cli/drill_command.h"

#include <filesystem>
#include <memory>

#include "config/config_loader.h"
#include "provider/cli/cli_command.h"
#include "provider/cli/command_options.h"
#include "provider/drill/drill_report.h"
#include "provider/drill/failover_drill.h"
#include "provider/drill/library_key_path.h"
#include "provider/drill/router_key_path.h"
#include "provider/runtime/log_setup.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm::cli {
namespace {

// The provider library the drill loads without --library: the one built
// with this geoekm, else the one `cmake --install` puts in place.
std::optional<std::string> DefaultLibrary() {
  for (const char* candidate : {GEOEKM_BUILT_EKM_LIBRARY, GEOEKM_INSTALLED_EKM_LIBRARY}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return std::string(candidate);
  }
  return std::nullopt;
}

int RunAndReport(DrillKeyPath& path, const VaultSetConfig& config, const DrillOptions& drill, std::ostream& out) {
  DrillResult result = RunFailoverDrill(path, config, drill);
  PrintDrillReport(result, path.store(), out);
  return result.passed() ? kExitOk : kExitProblem;
}

}  // namespace

int RunDrillCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto options = CommandOptions::Parse(args,
                                       {"config", "deks", "concurrency", "primary", "outage-command",
                                        "recover-command", "failback-timeout-s", "library"},
                                       {"router"});
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
  const bool through_router = options->Has("router");
  if (through_router && options->Has("library")) {
    err << "geoekm drill: --router and --library exclude each other\n";
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
  out << "geoekm drill: vault set '" << config->provider.set_name << "', " << config->vaults.size()
      << " vaults, state " << config->provider.state_path << "\n";

  if (through_router) {
    auto runtime = VaultSetRuntime::Open(*config);
    if (!runtime.ok()) {
      err << runtime.status().ToString() << "\n";
      return kExitProblem;
    }
    out.flush();
    RouterKeyPath path(**runtime);
    return RunAndReport(path, *config, drill, out);
  }

  std::optional<std::string> library = options->Get("library");
  if (!library) library = DefaultLibrary();
  if (!library) {
    err << "geoekm drill: no provider library at " << GEOEKM_BUILT_EKM_LIBRARY << " or "
        << GEOEKM_INSTALLED_EKM_LIBRARY << "; build it (scripts/build.sh default), give --library PATH, "
        << "or drill the router alone with --router\n";
    return kExitProblem;
  }
  // The engine learns only ProviderError when the library cannot start; its
  // reason goes to the library's log. A log destination that cannot be
  // written is the one reason that log cannot show, so it is checked here
  // with the library's own code (the library sets the same logger up again).
  if (Status logging = SetUpLogging(config->provider); !logging.ok()) {
    err << logging.ToString() << "\n";
    return kExitProblem;
  }
  std::error_code ec;
  const std::filesystem::path config_path = std::filesystem::absolute(*file, ec);
  auto path = LibraryKeyPath::Open(*library, ec ? *file : config_path.string(), *config);
  if (!path.ok()) {
    err << "geoekm drill: " << path.status().ToString() << "\n";
    return kExitProblem;
  }
  out << "geoekm drill: through " << (*path)->description() << "\n";
  out.flush();
  return RunAndReport(**path, *config, drill, out);
}

}  // namespace geoekm::cli
