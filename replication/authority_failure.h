// Telling "no vault could be asked because no token could be had" apart
// from "vaults are unreachable": the first keeps every replication command
// from running (exit 3: the configured authority is unreachable or refuses
// the credential), the second is a finding about those vaults (exit 1).
//
// Thread safety: pure functions.
#pragma once

#include <optional>

#include "core/status.h"
#include "replication/vault_inventory.h"

namespace geoekm {

// True for a failure to obtain a token: the token endpoint's codes (3303,
// 3304, 3305, 3307) or a transport failure on the way to the authority
// (the authenticator prefixes those "token request to <authority>").
bool IsAuthorityFailure(const Status& status);

// When every vault of the inventory is unreadable for an authority failure,
// the first such failure; else nullopt.
std::optional<Status> AuthorityUnreachable(const KeyInventory& inventory);

}  // namespace geoekm
