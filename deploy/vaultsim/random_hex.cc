#include "deploy/vaultsim/random_hex.h"

#include <openssl/rand.h>

#include <vector>

namespace geoekm::vaultsim {

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
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
