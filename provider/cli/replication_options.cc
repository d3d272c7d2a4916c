#include "provider/cli/replication_options.h"

#include <algorithm>

#include "provider/cli/cli_command.h"
#include "replication/escrow_file.h"

namespace geoekm::cli {

std::optional<int> SelectKeyName(const VaultSetCommand& cmd, const std::string& command, std::ostream& err,
                                 std::string* key_name) {
  const std::vector<std::string>& names = cmd.config.provider.key_names;
  *key_name = cmd.options.Get("key").value_or(cmd.key_name());
  if (std::find(names.begin(), names.end(), *key_name) == names.end()) {
    err << "geoekm " << command << ": --key " << *key_name << " is not one of the configured key_names\n";
    return kExitUsage;
  }
  return std::nullopt;
}

std::optional<int> SelectKeyNames(const VaultSetCommand& cmd, const std::string& command, std::ostream& err,
                                  std::vector<std::string>* key_names) {
  if (!cmd.options.Get("key")) {
    *key_names = cmd.config.provider.key_names;
    return std::nullopt;
  }
  std::string one;
  if (auto stop = SelectKeyName(cmd, command, err, &one)) return stop;
  *key_names = {one};
  return std::nullopt;
}

std::optional<int> ReadPassphraseOption(const VaultSetCommand& cmd, const std::string& command, std::ostream& err,
                                        SecureString* passphrase) {
  auto file = cmd.options.Get("passphrase-file");
  if (!file) {
    err << "geoekm " << command << ": --passphrase-file FILE is required with an escrow\n";
    return kExitUsage;
  }
  Result<SecureString> read = ReadPassphraseFile(*file);
  if (!read.ok()) {
    err << "geoekm " << command << ": could not run: " << read.status().ToString() << "\n";
    return kExitCouldNotRun;
  }
  *passphrase = std::move(read).value();
  return std::nullopt;
}

}  // namespace geoekm::cli
