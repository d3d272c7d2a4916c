#include "core/base64url.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <sstream>

#include "core/error_codes.h"

namespace geoekm {
namespace {

std::string Encode(const void* data, std::size_t size, int options) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out, options);
  enc.rdbuf()->setLineLength(0);
  enc.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  enc.close();
  return out.str();
}

template <typename Out>
Result<Out> Decode(std::string_view text) {
  // Strip padding; Poco's url decoder accepts unpadded input of valid length.
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_';
    if (!ok) return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "not base64url: unexpected character");
  }
  if (text.size() % 4 == 1) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "not base64url: impossible length");
  }
  std::string padded(text);
  padded.append((4 - padded.size() % 4) % 4, '=');
  std::istringstream in(padded);
  Poco::Base64Decoder dec(in, Poco::BASE64_URL_ENCODING);
  Out out;
  char buf[512];
  try {
    while (dec.read(buf, sizeof buf) || dec.gcount() > 0) {
      out.insert(out.end(), buf, buf + dec.gcount());
    }
  } catch (const std::exception&) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "not base64url: bad encoding");
  }
  return out;
}

}  // namespace

std::string Base64UrlEncode(const void* data, std::size_t size) {
  return Encode(data, size, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
}

std::string Base64Encode(const void* data, std::size_t size) { return Encode(data, size, 0); }

Result<Bytes> Base64UrlDecode(std::string_view text) { return Decode<Bytes>(text); }
Result<SecureBytes> Base64UrlDecodeSecure(std::string_view text) { return Decode<SecureBytes>(text); }

}  // namespace geoekm
