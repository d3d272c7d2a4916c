// VaultSetCommand: what every geoekm command that works on a configured
// vault set does before its own work — parse its options (with --config
// FILE, required, and --json), load the configuration and open the runtime
// (state store, one client per vault; no background probes) — with the exit
// codes of cli_command.h: 2 for usage errors, 3 when the configuration or
// the state store keeps it from running. Shared so the replication commands
// (check, verify-history, status, history, sync, rotate) all behave alike.
//
// Thread safety: a plain value owned by the running command.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "config/vault_set_config.h"
#include "provider/cli/command_options.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm::cli {

struct VaultSetCommand {
  CommandOptions options;
  bool json = false;  // --json given
  VaultSetConfig config;
  std::unique_ptr<VaultSetRuntime> runtime;

  // The first configured key name (the TDE protector the commands look at).
  const std::string& key_name() const { return config.provider.key_names.front(); }
};

// Parses `args` against the command's own options plus --config and --json,
// loads the configuration and opens the runtime. On failure writes
// "geoekm <command>: <why>" to err and returns the exit code to stop with;
// otherwise returns nullopt with `out` ready.
std::optional<int> OpenVaultSetCommand(const std::string& command, const std::vector<std::string>& args,
                                       std::set<std::string> with_value, std::set<std::string> flags,
                                       std::ostream& err, VaultSetCommand& out);

// "A,B" -> {"A","B"}; empty items are dropped.
std::vector<std::string> SplitList(const std::string& text);

}  // namespace geoekm::cli
