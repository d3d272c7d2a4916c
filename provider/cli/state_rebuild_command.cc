#include "provider/cli/state_rebuild_command.h"

#include "config/config_loader.h"
#include "provider/cli/cli_command.h"
#include "provider/cli/command_options.h"
#include "provider/runtime/key_history_rebuild.h"

namespace geoekm::cli {

int RunStateRebuild(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto options = CommandOptions::Parse(args, {"config"});
  if (!options.ok() || !options->Get("config")) {
    err << "geoekm state rebuild: " << (options.ok() ? "--config FILE is required" : options.status().message())
        << "\n";
    return kExitUsage;
  }
  auto config = LoadVaultSetConfig(*options->Get("config"));
  if (!config.ok()) {
    err << config.status().ToString() << "\n";
    return kExitProblem;
  }
  RuntimeOptions runtime_options;
  // Rebuilding reads vaults directly; no background probes needed.
  runtime_options.adjust_router = [](RouterOptions& o) { o.background_probing = false; };
  auto runtime = VaultSetRuntime::Open(*config, runtime_options);
  if (!runtime.ok()) {
    err << runtime.status().ToString() << "\n";
    return kExitProblem;
  }
  auto report = RebuildKeyHistory(**runtime);
  if (!report.ok()) {
    err << report.status().ToString() << "\n";
    return kExitProblem;
  }
  out << "state rebuilt in " << config->provider.state_path << "\n"
      << "  key versions added:          " << report->versions_added << "\n"
      << "  key versions already known:  " << report->versions_already_known << "\n"
      << "  copies verified:             " << report->copies_verified << "\n"
      << "  copies marked missing:       " << report->copies_marked_missing << "\n";
  for (const UnreadVault& v : report->vaults_not_read) {
    out << "  vault not read (its copies keep their status): " << v.vault << ": " << v.reason.ToString() << "\n";
  }
  for (const RejectedBundle& b : report->rejected) out << "  rejected " << b.kid << " from " << b.vault << ": " << b.reason << "\n";
  if (!report->unknowns.empty()) {
    out << "what could not be known:\n";
    for (const std::string& u : report->unknowns) out << "  - " << u << "\n";
  }
  return report->vaults_not_read.empty() && report->rejected.empty() ? kExitOk : kExitProblem;
}

}  // namespace geoekm::cli
