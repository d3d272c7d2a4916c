// base64url (RFC 4648 §5) as Key Vault uses it: emitted without padding,
// accepted with or without padding. Thin wrapper over OpenSSL's block codec.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm {

std::string Base64UrlEncode(const void* data, std::size_t size);
inline std::string Base64UrlEncode(std::string_view s) { return Base64UrlEncode(s.data(), s.size()); }
template <typename Container>
std::string Base64UrlEncode(const Container& c) {
  return Base64UrlEncode(c.data(), c.size());
}

// Fails with kInvalidInput on characters outside the url alphabet or a
// length that cannot be base64.
Result<Bytes> Base64UrlDecode(std::string_view text);
Result<SecureBytes> Base64UrlDecodeSecure(std::string_view text);

// Standard base64 (with padding), used for x5c and PEM-adjacent fields.
std::string Base64Encode(const void* data, std::size_t size);

}  // namespace geoekm
