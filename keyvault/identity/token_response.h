// Parsing of token endpoint answers: Entra ID v2 / v1, IMDS and App Service
// success bodies, and Entra error bodies (docs/ARCHITECTURE.md §Entra tokens,
// §Managed identity).
//
// Success bodies: `access_token` must be a string. Expiry precedence as the
// Azure C++ SDK: `refresh_in` (number or numeric string; a refresh hint) >
// `expires_in` (number or numeric string) > `expires_on` (number, numeric
// string, or a date string as legacy App Service sends).
//
// Errors: credential problems (invalid_client, unauthorized_client,
// invalid_tenant, AADSTS7000215/7000222/700016/90002/700027/...) become
// codes::kTokenBadCredentials (3303, kAuth) with an operator hint; other
// refusals codes::kTokenFailed (3304); a 2xx body we cannot read
// codes::kTokenJsonParser (3307). Messages never contain the token, and
// callers pass the secrets they sent so that an echo of them is redacted.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "keyvault/identity/access_token.h"

namespace geoekm {

// `now` is the Unix time the response arrived.
Result<AccessToken> ParseTokenResponse(std::string_view body, std::int64_t now);

// Builds the Status for a non-2xx answer. `who` names the endpoint for the
// operator ("token endpoint login.example/tenant"); `secrets` are strings that
// must not appear in the message (client secret, client assertion).
Status TokenErrorFromResponse(int http_status, std::string_view body, std::string_view who,
                              const std::vector<std::string_view>& secrets);

// Refresh-ahead policy: refresh 5 minutes before expiry, or at half-life for
// tokens shorter than 10 minutes; keep a skew of min(30 s, lifetime/10).
AccessToken MakeAccessToken(SecureString value, std::int64_t now, std::int64_t expires_on,
                            std::int64_t refresh_on_hint = 0);

}  // namespace geoekm
