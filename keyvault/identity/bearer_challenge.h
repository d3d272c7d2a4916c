// BearerChallenge: what a vault's 401 WWW-Authenticate header asks for
// (docs/ARCHITECTURE.md §Challenge auth), and the domain check that decides
// whether a token for it may be sent to the vault at all.
//
// The parser is tolerant the way the Azure SDKs are: scheme "Bearer" in any
// case, parameter names in any case, `authorization` or `authorization_uri`,
// `resource` or `scope` (scope minus "/.default"), quoted or bare values,
// commas optional, odd spacing, other challenges in the same header skipped.
//
// Thread safety: pure functions over plain values.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace geoekm {

struct BearerChallenge {
  std::string authority;  // the challenge's authorization URL, as sent (informational only)
  std::string tenant;     // first path segment of `authority`
  std::string resource;   // e.g. "https://vault.azure.net" (no trailing slash, no "/.default")
  std::string resource_host;  // lower-case host of `resource`

  std::string scope() const { return resource + "/.default"; }
};

// Fails with codes::kChallengeMalformed (3203, kAuth) when there is no Bearer
// challenge, no authorization URL with a tenant, or no https resource/scope.
Result<BearerChallenge> ParseBearerChallenge(std::string_view www_authenticate);

// The vault host (a ":port" suffix is ignored) must equal the resource host
// or end with "." + resource host: "myvault.vault.azure.net" passes for
// "vault.azure.net", "evil-vault.azure.net" does not. Fails with
// codes::kChallengeDomainMismatch (5004, kAuth).
Status VerifyChallengeDomain(std::string_view vault_host, const BearerChallenge& challenge);

}  // namespace geoekm
