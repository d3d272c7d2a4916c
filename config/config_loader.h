// LoadVaultSetConfig: reads and validates one vault-set configuration file.
//
// One schema, two syntaxes chosen by the file's extension: ".ini"
// (Poco::Util::IniFileConfiguration) or ".json" (JSONConfiguration). The
// schema is documented in README.md, "Configuration reference".
//
// All problems are collected before failing, so one run shows every mistake.
// On failure the Status has code codes::kConfigInvalid (5001), or
// codes::kPasswordTooShort (2050) when the credential string is shorter than
// 32 characters, class kInvalidInput, and a message listing every error with
// its file, line (INI) or key path (JSON), what is wrong and what is allowed.
// Secret values never appear in messages. Relative file paths in the
// configuration are resolved against the configuration file's directory.
//
// Thread safety: a pure function of the file system.
#pragma once

#include <string>

#include "config/vault_set_config.h"
#include "core/result.h"

namespace geoekm {

Result<VaultSetConfig> LoadVaultSetConfig(const std::string& path);

}  // namespace geoekm
