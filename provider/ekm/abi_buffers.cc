#include "provider/ekm/abi_buffers.h"

#include <cstring>
#include <limits>

#include "core/error_codes.h"

namespace geoekm::ekm {
namespace {

Status CheckUtf16(const SqlCpStr* str, std::size_t max_chars, std::string_view what, bool allow_empty) {
  if (str == nullptr) return InvalidArgument(std::string(what) + ": NULL");
  if (str->cb % 2 != 0) return InvalidArgument(std::string(what) + ": odd byte count " + std::to_string(str->cb));
  if (str->cb == 0) return allow_empty ? Status::Ok() : InvalidArgument(std::string(what) + ": empty");
  if (str->ws == nullptr) return InvalidArgument(std::string(what) + ": NULL characters");
  if (str->cb / 2 > max_chars) {
    return InvalidArgument(std::string(what) + ": " + std::to_string(str->cb / 2) + " characters, at most " +
                           std::to_string(max_chars));
  }
  for (std::size_t i = 0; i < str->cb / 2; ++i) {
    const char16_t c = str->ws[i];
    if (c < 0x20 || c > 0x7e) return InvalidArgument(std::string(what) + ": not printable ASCII");
  }
  return Status::Ok();
}

template <typename Out>
Result<Out> ReadBytes(const SqlCpData* data, std::size_t max_bytes, std::string_view what) {
  if (data == nullptr) return InvalidArgument(std::string(what) + ": NULL");
  if (data->cb == 0) return InvalidArgument(std::string(what) + ": empty");
  if (data->pb == nullptr) return InvalidArgument(std::string(what) + ": NULL bytes");
  if (data->cb > max_bytes) {
    return InvalidArgument(std::string(what) + ": " + std::to_string(data->cb) + " bytes, at most " +
                           std::to_string(max_bytes));
  }
  return Out(data->pb, data->pb + data->cb);
}

}  // namespace

Status InvalidArgument(std::string message) {
  return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, std::move(message));
}

Status BufferTooSmall() {
  return Status(codes::kInsufficientBuffer, ErrorClass::kInvalidInput, "output buffer too small");
}

bool IsBufferTooSmall(const Status& s) { return s.code() == codes::kInsufficientBuffer; }

Result<std::string> ReadAsciiName(const SqlCpStr* str, std::size_t max_chars, std::string_view what) {
  if (Status s = CheckUtf16(str, max_chars, what, false); !s.ok()) return s;
  std::string out(str->cb / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(str->ws[i]);
  return out;
}

Result<SecureString> ReadSecret(const SqlCpStr* str, std::size_t max_chars) {
  if (Status s = CheckUtf16(str, max_chars, "credential secret", true); !s.ok()) return s;
  SecureString out(str->cb / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(str->ws[i]);
  return out;
}

Result<RawThumbprint> ReadThumbprint(const SqlCpKeyThumbprint* thumb) {
  if (thumb == nullptr) return InvalidArgument("thumbprint: NULL");
  if (thumb->cb != kThumbLen) {
    return InvalidArgument("thumbprint of " + std::to_string(thumb->cb) + " bytes; geoekm's are " +
                           std::to_string(kThumbLen));
  }
  if (thumb->pb == nullptr) return InvalidArgument("thumbprint: NULL bytes");
  RawThumbprint raw;
  std::memcpy(raw.data(), thumb->pb, kThumbLen);
  return raw;
}

Result<SecureBytes> ReadSecureData(const SqlCpData* data, std::size_t max_bytes, std::string_view what) {
  return ReadBytes<SecureBytes>(data, max_bytes, what);
}

Result<Bytes> ReadData(const SqlCpData* data, std::size_t max_bytes, std::string_view what) {
  return ReadBytes<Bytes>(data, max_bytes, what);
}

Status WriteData(SqlCpData* out, const std::uint8_t* bytes, std::size_t size) {
  if (out == nullptr) return InvalidArgument("output buffer: NULL");
  if (size > std::numeric_limits<SqlCpUlong>::max()) return InvalidArgument("output too large");
  if (out->pb == nullptr || out->cb < size) {
    out->cb = static_cast<SqlCpUlong>(size);
    return BufferTooSmall();
  }
  if (size > 0) std::memcpy(out->pb, bytes, size);
  out->cb = static_cast<SqlCpUlong>(size);
  return Status::Ok();
}

Status WriteAscii(SqlCpStr* out, std::string_view text) {
  if (out == nullptr) return InvalidArgument("output string: NULL");
  const std::size_t bytes = text.size() * 2;
  if (out->ws == nullptr || out->cb < bytes) {
    out->cb = static_cast<SqlCpUlong>(bytes);
    return BufferTooSmall();
  }
  for (std::size_t i = 0; i < text.size(); ++i) out->ws[i] = static_cast<char16_t>(static_cast<unsigned char>(text[i]));
  out->cb = static_cast<SqlCpUlong>(bytes);
  return Status::Ok();
}

Status WriteKeyInfo(SqlCpKeyInfo* out, const EkmKeyInfo& info) {
  if (out == nullptr) return InvalidArgument("key info: NULL");
  const std::size_t name_bytes = info.key_name.size() * 2;
  const bool name_fits = out->name.ws != nullptr && out->name.cb >= name_bytes;
  const bool thumb_fits = out->thumb.pb != nullptr && out->thumb.cb >= kThumbLen;
  if (!name_fits || !thumb_fits) {
    out->name.cb = static_cast<SqlCpUlong>(name_bytes);
    out->thumb.cb = static_cast<SqlCpUlong>(kThumbLen);
    return BufferTooSmall();
  }
  (void)WriteAscii(&out->name, info.key_name);
  (void)WriteData(&out->thumb, info.raw.data(), info.raw.size());
  out->algId = AlgorithmIdForBits(info.size_bits);
  out->flags = scp_kf_Supported;
  return Status::Ok();
}

}  // namespace geoekm::ekm
