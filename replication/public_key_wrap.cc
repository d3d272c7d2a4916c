#include "replication/public_key_wrap.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <memory>

#include "core/base64url.h"
#include "core/error_codes.h"

namespace geoekm {
namespace {

Status Failed(const std::string& what) { return Status(codes::kProviderError, ErrorClass::kInternal, what); }

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

BnPtr ToBn(const Bytes& b) { return BnPtr(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)); }

}  // namespace

Result<Bytes> WrapWithPublicKey(std::string_view n_b64url, std::string_view e_b64url, WrapAlgorithm alg,
                                const SecureBytes& plaintext) {
  if (alg == WrapAlgorithm::kRsa15) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "RSA1_5 is not used for new wraps");
  }
  auto n = Base64UrlDecode(n_b64url);
  auto e = Base64UrlDecode(e_b64url);
  if (!n.ok() || !e.ok() || n->empty() || e->empty()) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "public key n/e is not base64url");
  }
  BnPtr bn_n = ToBn(*n), bn_e = ToBn(*e);
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return Failed("building the RSA public key failed");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  CtxPtr from(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !from || EVP_PKEY_fromdata_init(from.get()) != 1 ||
      EVP_PKEY_fromdata(from.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return Failed("building the RSA public key failed");
  }
  KeyPtr key(raw);
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  const EVP_MD* md = alg == WrapAlgorithm::kRsaOaep256 ? EVP_sha256() : EVP_sha1();
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    return Failed("RSA-OAEP setup failed");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    return Failed("RSA-OAEP encryption failed");
  }
  out.resize(len);
  return out;
}

Result<SecureBytes> RandomCanary(std::size_t size) {
  SecureBytes canary(size, 0);
  if (RAND_bytes(canary.data(), static_cast<int>(canary.size())) != 1) return Failed("no random bytes");
  return canary;
}

}  // namespace geoekm
