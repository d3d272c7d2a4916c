#include "vault_router/key_types.h"

namespace geoekm {

const char* WrapAlgorithmName(WrapAlgorithm alg) {
  switch (alg) {
    case WrapAlgorithm::kRsaOaep256: return "RSA-OAEP-256";
    case WrapAlgorithm::kRsaOaep: return "RSA-OAEP";
    case WrapAlgorithm::kRsa15: return "RSA1_5";
  }
  return "?";
}

}  // namespace geoekm
