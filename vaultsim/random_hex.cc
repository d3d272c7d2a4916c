#include "vaultsim/random_hex.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace geoekm::vaultsim {

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  // No error channel here (ids and passwords are plain strings at every
  // caller), and a predictable value would be worse than stopping.
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    std::fputs("vaultsim: OpenSSL RAND_bytes failed; stopping\n", stderr);
    std::abort();
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace geoekm::vaultsim
