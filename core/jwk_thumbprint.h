// RFC 7638 JWK thumbprint of an RSA public key: the identity of a key
// version across vaults (docs/ARCHITECTURE.md, invariant 1; §Thumbprint).
//
// SHA-256 over {"e":<e>,"kty":"RSA","n":<n>} with e/n as minimal base64url;
// Key Vault's "RSA-HSM" is normalised to "RSA" so a software and an HSM copy
// of the same material agree.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace geoekm {

// kty must be "RSA" or "RSA-HSM"; n and e are base64url (padding tolerated,
// leading zero octets stripped). Returns the 43-character base64url digest.
Result<std::string> RsaJwkThumbprint(std::string_view kty, std::string_view n_b64url, std::string_view e_b64url);

}  // namespace geoekm
