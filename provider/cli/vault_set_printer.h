// PrintVaultSet: a VaultSetConfig as an operator reads it (used by
// `geoekm config check`). Prints where secrets come from, never the secrets.
//
// Thread safety: reentrant.
#pragma once

#include <ostream>

#include "config/vault_set_config.h"

namespace geoekm::cli {

void PrintVaultSet(const VaultSetConfig& config, std::ostream& out);

}  // namespace geoekm::cli
