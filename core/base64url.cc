#include "core/base64url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

#include "core/error_codes.h"

namespace geoekm {
namespace {

// OpenSSL's block codec, not Poco's stream codec: every vault call encodes
// and decodes, and the streams cost about ten times as much CPU.
std::string Encode(const void* data, std::size_t size, bool url) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');  // + the NUL EVP_EncodeBlock writes
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                static_cast<const unsigned char*>(data), static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  if (url) {
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
      if (c == '+') c = '-';
      else if (c == '/') c = '_';
    }
  }
  return out;
}

bool IsUrlAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

template <typename Out>
Result<Out> Decode(std::string_view text) {
  // Padding is optional in base64url.
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (!std::all_of(text.begin(), text.end(), IsUrlAlphabet)) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "not base64url: unexpected character");
  }
  if (text.size() % 4 == 1) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "not base64url: impossible length");
  }
  const std::size_t pad = (4 - text.size() % 4) % 4;
  // The standard-alphabet copy of what may be a secret's encoding: wiped below.
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  standard.append(pad, '=');
  Out out(standard.size() / 4 * 3);
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(standard.data()),
                                static_cast<int>(standard.size()));
  OPENSSL_cleanse(standard.data(), standard.size());
  // EVP_DecodeBlock counts the padding's zero bytes in its result.
  if (n < 0 || static_cast<std::size_t>(n) < pad) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "not base64url: bad encoding");
  }
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace

std::string Base64UrlEncode(const void* data, std::size_t size) { return Encode(data, size, true); }

std::string Base64Encode(const void* data, std::size_t size) { return Encode(data, size, false); }

Result<Bytes> Base64UrlDecode(std::string_view text) { return Decode<Bytes>(text); }
Result<SecureBytes> Base64UrlDecodeSecure(std::string_view text) { return Decode<SecureBytes>(text); }

}  // namespace geoekm
