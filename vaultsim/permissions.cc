#include "vaultsim/permissions.h"

#include <Poco/String.h>

namespace geoekm::vaultsim {

const std::set<std::string>& AllPermissions() {
  static const std::set<std::string> kAll = {"get",    "list",    "wrapKey", "unwrapKey", "encrypt",
                                             "decrypt", "backup", "restore", "create",    "import",
                                             "update",  "delete", "recover", "purge",     "rotate"};
  return kAll;
}

std::optional<std::string> CanonicalPermission(std::string_view name) {
  for (const std::string& p : AllPermissions()) {
    if (Poco::icompare(p, std::string(name)) == 0) return p;
  }
  return std::nullopt;
}

}  // namespace geoekm::vaultsim
