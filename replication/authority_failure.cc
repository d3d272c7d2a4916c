#include "replication/authority_failure.h"

#include "core/error_codes.h"

namespace geoekm {

bool IsAuthorityFailure(const Status& status) {
  switch (status.code()) {
    case codes::kTokenBadCredentials:
    case codes::kTokenFailed:
    case codes::kTokenRejected:
    case codes::kTokenJsonParser:
      return true;
    default:
      return status.message().find("token request to ") != std::string::npos;
  }
}

std::optional<Status> AuthorityUnreachable(const KeyInventory& inventory) {
  if (inventory.vaults.empty()) return std::nullopt;
  for (const VaultHoldings& v : inventory.vaults) {
    if (v.readable() || !IsAuthorityFailure(v.status)) return std::nullopt;
  }
  return inventory.vaults.front().status;
}

}  // namespace geoekm
