// Byte classes of HTTP/1.1 syntax (RFC 9110 §5.1, §5.5,
// §5.6.2), shared by what geoekm writes (request_wire.h) and what it reads
// (response_head.h): one table per class, since heads are checked byte by
// byte on every call.
//
// Thread safety: constants and pure functions.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace geoekm::http_bytes {

using ByteClass = std::array<bool, 256>;

// tchar: the bytes of a method or a field name.
inline constexpr ByteClass kToken = [] {
  ByteClass t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// Field-value (and reason-phrase) bytes: HTAB, SP, VCHAR, obs-text. NUL,
// CR, LF, DEL and the other controls are not.
inline constexpr ByteClass kFieldValue = [] {
  ByteClass t{};
  t['\t'] = true;
  for (int c = 0x20; c <= 0xff; ++c) t[static_cast<std::size_t>(c)] = c != 0x7f;
  return t;
}();

inline bool AllOf(const ByteClass& cls, std::string_view text) {
  return std::all_of(text.begin(), text.end(), [&](char c) { return cls[static_cast<unsigned char>(c)]; });
}

inline bool IsToken(std::string_view text) { return !text.empty() && AllOf(kToken, text); }

}  // namespace geoekm::http_bytes
