#include "provider/cli/vault_set_command.h"

#include "config/config_loader.h"
#include "provider/cli/cli_command.h"

namespace geoekm::cli {

std::optional<int> OpenVaultSetCommand(const std::string& command, const std::vector<std::string>& args,
                                       std::set<std::string> with_value, std::set<std::string> flags,
                                       std::ostream& err, VaultSetCommand& out) {
  with_value.insert("config");
  flags.insert("json");
  auto options = CommandOptions::Parse(args, with_value, flags);
  if (!options.ok()) {
    err << "geoekm " << command << ": " << options.status().message() << "\n";
    return kExitUsage;
  }
  auto file = options->Get("config");
  if (!file) {
    err << "geoekm " << command << ": --config FILE is required\n";
    return kExitUsage;
  }
  out.options = std::move(options).value();
  out.json = out.options.Has("json");
  auto config = LoadVaultSetConfig(*file);
  if (!config.ok()) {
    err << "geoekm " << command << ": could not run: " << config.status().ToString() << "\n";
    return kExitCouldNotRun;
  }
  out.config = std::move(config).value();
  RuntimeOptions runtime_options;
  // These commands ask the vaults themselves; probes would only add calls.
  runtime_options.adjust_router = [](RouterOptions& o) { o.background_probing = false; };
  auto runtime = VaultSetRuntime::Open(out.config, runtime_options);
  if (!runtime.ok()) {
    err << "geoekm " << command << ": could not run: " << runtime.status().ToString() << "\n";
    return kExitCouldNotRun;
  }
  out.runtime = std::move(runtime).value();
  return std::nullopt;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

}  // namespace geoekm::cli
