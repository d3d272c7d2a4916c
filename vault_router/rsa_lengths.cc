#include "vault_router/rsa_lengths.h"

#include "core/base64url.h"

namespace geoekm {

std::size_t RsaModulusBytes(const KeyBundle& bundle) {
  // The parser (ParseKeyBundle) already measured n this way; every wrap and
  // unwrap asks, so decoding n again each time would be waste.
  if (bundle.key_size_bits > 0 && bundle.key_size_bits % 8 == 0) {
    return static_cast<std::size_t>(bundle.key_size_bits) / 8;
  }
  Result<Bytes> n = Base64UrlDecode(bundle.n);
  if (!n.ok()) return 0;
  std::size_t skip = 0;
  while (skip < n->size() && (*n)[skip] == 0) ++skip;
  return n->size() - skip;
}

std::size_t MaxUnwrappedBytes(WrapAlgorithm alg, std::size_t k) {
  std::size_t overhead = 0;
  switch (alg) {
    case WrapAlgorithm::kRsaOaep256: overhead = 2 * 32 + 2; break;
    case WrapAlgorithm::kRsaOaep: overhead = 2 * 20 + 2; break;
    case WrapAlgorithm::kRsa15: overhead = 11; break;
  }
  return k > overhead ? k - overhead : 0;
}

}  // namespace geoekm
