// The engine's buffers (docs/ARCHITECTURE.md §EKM ABI): reading its inputs
// with every pointer and length checked, and writing into output buffers
// it owns — too small (or NULL) → InsufficientBuffer with the exact size in
// `cb`; else the bytes and `cb` = bytes written. The engine's pointers are
// never replaced.
//
// Failures are Statuses with the engine's codes (InvalidArgument 6,
// InsufficientBuffer 2). No POSIX here: the same code builds the Windows DLL.
//
// Thread safety: pure functions over the caller's buffers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "provider/ekm/ekm_provider.h"
#include "provider/ekm/sql_crypt_api.h"

namespace geoekm::ekm {

Status InvalidArgument(std::string message);
Status BufferTooSmall();
bool IsBufferTooSmall(const Status& s);

// A UTF-16 string of exactly cb bytes, no terminator, of printable ASCII
// (names and secrets here are ASCII); cb odd, 0 or above 2*max_chars → 6.
Result<std::string> ReadAsciiName(const SqlCpStr* str, std::size_t max_chars, std::string_view what);
// Like ReadAsciiName for a secret: may be empty, kept in wiped memory.
Result<SecureString> ReadSecret(const SqlCpStr* str, std::size_t max_chars);
Result<RawThumbprint> ReadThumbprint(const SqlCpKeyThumbprint* thumb);
// 1..max_bytes bytes.
Result<SecureBytes> ReadSecureData(const SqlCpData* data, std::size_t max_bytes, std::string_view what);
Result<Bytes> ReadData(const SqlCpData* data, std::size_t max_bytes, std::string_view what);

Status WriteData(SqlCpData* out, const std::uint8_t* bytes, std::size_t size);
Status WriteAscii(SqlCpStr* out, std::string_view text);
// Name and thumbprint together: either both fit or neither is written.
Status WriteKeyInfo(SqlCpKeyInfo* out, const EkmKeyInfo& info);

}  // namespace geoekm::ekm
