// WrapWithPublicKey: wraps a canary locally with a key version's PUBLIC key
// (its n and e from the history), as the vault would with RSA-OAEP(-256).
// Historic-backup verification uses it to test that each vault can still
// unwrap with an old version even where the vault no longer wraps with it
// (after exp a vault refuses wraps but not unwraps, docs/ARCHITECTURE.md
// §Vault errors), and without asking any vault to wrap.
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

// alg must be RSA-OAEP-256 or RSA-OAEP (RSA1_5 is refused, as for wraps).
Result<Bytes> WrapWithPublicKey(std::string_view n_b64url, std::string_view e_b64url, WrapAlgorithm alg,
                                const SecureBytes& plaintext);

// `size` random bytes from OpenSSL's CSPRNG, for canaries.
Result<SecureBytes> RandomCanary(std::size_t size = 32);

}  // namespace geoekm
