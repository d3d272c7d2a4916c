// Key permissions of a Key Vault access policy, as vaultsim names them
// (the spelling used in 403 messages and in config files).
//
// Thread safety: pure functions over constants.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace geoekm::vaultsim {

// Canonical spelling of a permission name given in any case, or nullopt.
std::optional<std::string> CanonicalPermission(std::string_view name);

// Every key permission ("all" in a config expands to this).
const std::set<std::string>& AllPermissions();

}  // namespace geoekm::vaultsim
