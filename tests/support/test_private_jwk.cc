#include "tests/support/test_private_jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/base64url.h"

namespace geoekm::testing {

PrivateRsaJwk NewPrivateJwk(int bits) {
  PrivateRsaJwk jwk;
  EVP_PKEY* pkey = EVP_RSA_gen(static_cast<unsigned>(bits));
  auto part = [&](const char* name, SecureString* out) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(pkey, name, &bn);
    SecureBytes raw(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, raw.data());
    BN_clear_free(bn);
    std::string encoded = Base64UrlEncode(raw);
    out->assign(encoded.begin(), encoded.end());
    OPENSSL_cleanse(encoded.data(), encoded.size());
  };
  part(OSSL_PKEY_PARAM_RSA_N, &jwk.n);
  part(OSSL_PKEY_PARAM_RSA_E, &jwk.e);
  part(OSSL_PKEY_PARAM_RSA_D, &jwk.d);
  part(OSSL_PKEY_PARAM_RSA_FACTOR1, &jwk.p);
  part(OSSL_PKEY_PARAM_RSA_FACTOR2, &jwk.q);
  part(OSSL_PKEY_PARAM_RSA_EXPONENT1, &jwk.dp);
  part(OSSL_PKEY_PARAM_RSA_EXPONENT2, &jwk.dq);
  part(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &jwk.qi);
  EVP_PKEY_free(pkey);
  return jwk;
}

}  // namespace geoekm::testing
