// RSA lengths a vault's crypto answers must have: a wrapped key is exactly
// the modulus length k (RFC 8017 §7.1.1, §7.2.1); an unwrapped key is
// non-empty and at most k - 2*hLen - 2 bytes for RSA-OAEP (hLen 20, SHA-1)
// and RSA-OAEP-256 (hLen 32), k - 11 for RSA1_5.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>

#include "keyvault/keys/key_types.h"

namespace geoekm {

// k in bytes: key_size_bits / 8 when the parser set it (it counts n's
// bytes without leading zeros), else from n itself; 0 when n is not base64url.
std::size_t RsaModulusBytes(const KeyBundle& bundle);

// The largest plaintext `alg` can wrap with a k-byte modulus (0 if none).
std::size_t MaxUnwrappedBytes(WrapAlgorithm alg, std::size_t modulus_bytes);

}  // namespace geoekm
