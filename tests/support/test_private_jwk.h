// A fresh RSA private JWK, for importing new key material into a vault
// (BYOK) in tests: e.g. a vault holding other material under a key name.
#pragma once

#include "keyvault/keys/key_types.h"

namespace geoekm::testing {

PrivateRsaJwk NewPrivateJwk(int bits = 2048);

}  // namespace geoekm::testing
