// Options the replication commands share: which key (--key NAME; sync and
// rotate default to the first of provider.key_names, check and
// verify-history to all of them) and the passphrase file of an
// escrow (--passphrase-file FILE, read into a wiped buffer, never echoed).
// Each returns the exit code to stop with (after writing why to err), or
// nullopt to go on.
//
// Thread safety: functions.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/secure_bytes.h"
#include "provider/cli/vault_set_command.h"

namespace geoekm::cli {

// --key must name one of provider.key_names (exit 2 otherwise).
std::optional<int> SelectKeyName(const VaultSetCommand& cmd, const std::string& command, std::ostream& err,
                                 std::string* key_name);
// The keys a read-only check covers (check, verify-history): the one --key
// names, else every configured key name — a check that looked at the first
// key only would call a set safe while another key is broken.
std::optional<int> SelectKeyNames(const VaultSetCommand& cmd, const std::string& command, std::ostream& err,
                                  std::vector<std::string>* key_names);

// The passphrase from --passphrase-file (exit 3 when it cannot be read: a
// missing, group/other-readable or empty file).
std::optional<int> ReadPassphraseOption(const VaultSetCommand& cmd, const std::string& command, std::ostream& err,
                                        SecureString* passphrase);

}  // namespace geoekm::cli
