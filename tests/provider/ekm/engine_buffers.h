// Test-side helpers that play the engine's part of the SQL Crypto API
// (docs/ARCHITECTURE.md §EKM ABI): UTF-16 strings the engine owns, key
// info and data buffers it allocates, thumbprints as it stores them.
//
// Thread safety: plain values; one object per thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base64url.h"
#include "provider/ekm/sql_crypt_api.h"

namespace geoekm::testing {

// A UTF-16 string the engine passes in (no terminator, cb in bytes).
class EngineString {
 public:
  explicit EngineString(const std::string& ascii) : text_(ascii.begin(), ascii.end()) {}
  SqlCpStr str() { return SqlCpStr{static_cast<SqlCpUlong>(text_.size() * 2), text_.data()}; }

 private:
  std::u16string text_;
};

// An engine-owned key info with room for `name_chars` and 32 bytes.
struct EngineKeyInfo {
  explicit EngineKeyInfo(std::size_t name_chars = 200) : name(name_chars), thumb(64) {
    info.name = SqlCpStr{static_cast<SqlCpUlong>(name.size() * 2), name.data()};
    info.thumb = SqlCpData{static_cast<SqlCpUlong>(thumb.size()), thumb.data()};
  }
  std::string Name() const { return std::string(name.begin(), name.begin() + info.name.cb / 2); }
  std::vector<std::uint8_t> Thumb() const { return {thumb.begin(), thumb.begin() + info.thumb.cb}; }

  std::vector<char16_t> name;
  std::vector<std::uint8_t> thumb;
  SqlCpKeyInfo info{};
};

inline std::vector<std::uint8_t> RawThumbprintOf(const std::string& b64url) {
  auto raw = Base64UrlDecode(b64url);
  return raw.ok() ? std::vector<std::uint8_t>(raw->begin(), raw->end()) : std::vector<std::uint8_t>{};
}

inline SqlCpData DataOf(std::vector<std::uint8_t>& bytes) {
  return SqlCpData{static_cast<SqlCpUlong>(bytes.size()), bytes.data()};
}

}  // namespace geoekm::testing
