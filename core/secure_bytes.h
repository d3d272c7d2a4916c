// SecureBytes: a byte buffer for DEK plaintext and other secrets that is
// wiped (OPENSSL_cleanse, which the optimiser cannot elide) when it is
// destroyed, cleared or reallocated.
//
// Thread safety: like std::vector.
#pragma once

#include <openssl/crypto.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace geoekm {

template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

using SecureBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

using Bytes = std::vector<std::uint8_t>;

inline SecureBytes ToSecureBytes(std::string_view s) { return SecureBytes(s.begin(), s.end()); }

// Wipes a std::string that held a secret, where a library hands one over or
// needs one (an HTTP body, Poco's JSON parser, a JWT, raw token text); its
// length stays.
inline void WipeString(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

// Wipes a std::string when the scope ends, however it ends (a parse that
// throws).
class WipeStringOnExit {
 public:
  explicit WipeStringOnExit(std::string& s) : s_(s) {}
  ~WipeStringOnExit() { WipeString(s_); }
  WipeStringOnExit(const WipeStringOnExit&) = delete;
  WipeStringOnExit& operator=(const WipeStringOnExit&) = delete;

 private:
  std::string& s_;
};

}  // namespace geoekm
