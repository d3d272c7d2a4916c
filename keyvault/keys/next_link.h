// NextLinkTarget: where to send the request for the next page of a Key Vault
// list (docs/ARCHITECTURE.md §Paging).
//
// The service's nextLink is an absolute URL that may carry an explicit :443,
// its own (older) api-version, an opaque $skiptoken and maxresults. geoekm
// follows it on its OWN connection to the vault (connect_to, proxy, pool), so
// it must name the same origin: another scheme, host or port is refused
// (a page must not redirect us, or our token, elsewhere). The api-version is
// dropped so that the caller appends its own; every other query parameter is
// kept byte for byte (the skiptoken is opaque). A relative nextLink
// ("/keys/..."), which the C++ SDK accepts, is taken as the same origin.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace geoekm {

// Path and query (without api-version) of `next_link`, or kInvalidInput when
// it is not a URL of https://vault_host:vault_port (443 when absent).
Result<std::string> NextLinkTarget(std::string_view next_link, const std::string& vault_host, int vault_port);

}  // namespace geoekm
