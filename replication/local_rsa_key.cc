#include "replication/local_rsa_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <vector>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"

namespace geoekm {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_clear_free)>;

// The JWK member names and OpenSSL's parameter names, in PrivateRsaJwk order.
struct Part {
  const char* ossl;
  SecureString PrivateRsaJwk::*member;
};
constexpr Part kParts[] = {
    {OSSL_PKEY_PARAM_RSA_N, &PrivateRsaJwk::n},
    {OSSL_PKEY_PARAM_RSA_E, &PrivateRsaJwk::e},
    {OSSL_PKEY_PARAM_RSA_D, &PrivateRsaJwk::d},
    {OSSL_PKEY_PARAM_RSA_FACTOR1, &PrivateRsaJwk::p},
    {OSSL_PKEY_PARAM_RSA_FACTOR2, &PrivateRsaJwk::q},
    {OSSL_PKEY_PARAM_RSA_EXPONENT1, &PrivateRsaJwk::dp},
    {OSSL_PKEY_PARAM_RSA_EXPONENT2, &PrivateRsaJwk::dq},
    {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &PrivateRsaJwk::qi},
};

Status KeyError(int code, std::string message) {
  ERR_clear_error();  // OpenSSL's queue may name the cause, never key bytes; not kept
  return Status(code, ErrorClass::kInvalidInput, std::move(message));
}

// One big-endian parameter as unpadded base64url in a wiped buffer.
Result<SecureString> PartOf(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    return KeyError(codes::kFailure, std::string("the RSA key has no parameter ") + name);
  }
  BnPtr bn(raw, BN_clear_free);
  SecureBytes bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), bytes.data());
  std::string encoded = Base64UrlEncode(bytes);
  SecureString out(encoded.begin(), encoded.end());
  OPENSSL_cleanse(encoded.data(), encoded.size());
  return out;
}

// Passphrase callback data for PEM: OpenSSL copies at most `size` bytes.
int CopyPassphrase(char* buf, int size, int /*rwflag*/, void* user) {
  const SecureString* pass = static_cast<const SecureString*>(user);
  if (pass->size() > static_cast<std::size_t>(size)) return -1;
  std::copy(pass->begin(), pass->end(), buf);
  return static_cast<int>(pass->size());
}

}  // namespace

LocalRsaKey::~LocalRsaKey() { EVP_PKEY_free(pkey_); }

Result<std::unique_ptr<LocalRsaKey>> LocalRsaKey::Adopt(EVP_PKEY* pkey, int error_code, const char* what) {
  if (!pkey) return KeyError(error_code, std::string(what) + ": no private key could be read");
  std::unique_ptr<LocalRsaKey> key(new LocalRsaKey(pkey));
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    return KeyError(error_code, std::string(what) + ": the private key is not an RSA key");
  }
  key->bits_ = EVP_PKEY_get_bits(pkey);
  auto n = PartOf(pkey, OSSL_PKEY_PARAM_RSA_N);
  auto e = PartOf(pkey, OSSL_PKEY_PARAM_RSA_E);
  if (!n.ok()) return n.status();
  if (!e.ok()) return e.status();
  key->n_.assign(n->begin(), n->end());  // public parts: plain strings
  key->e_.assign(e->begin(), e->end());
  auto thumbprint = RsaJwkThumbprint("RSA", key->n_, key->e_);
  if (!thumbprint.ok()) return thumbprint.status();
  key->thumbprint_ = *thumbprint;
  return key;
}

Result<std::unique_ptr<LocalRsaKey>> LocalRsaKey::Generate(int bits) {
  if (bits != 2048 && bits != 3072 && bits != 4096) {
    return KeyError(codes::kInvalidArgument, "RSA key size " + std::to_string(bits) + " is not 2048, 3072 or 4096");
  }
  return Adopt(EVP_RSA_gen(static_cast<unsigned>(bits)), codes::kFailure, "RSA key generation");
}

Result<std::unique_ptr<LocalRsaKey>> LocalRsaKey::FromPem(const SecureString& pem, const SecureString& passphrase) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return KeyError(codes::kPemPrivateKey, "PEM: out of memory");
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, &CopyPassphrase,
                                           const_cast<SecureString*>(&passphrase));
  return Adopt(pkey, codes::kPemPrivateKey, "PEM (wrong passphrase, or no private key in it)");
}

Result<std::unique_ptr<LocalRsaKey>> LocalRsaKey::FromPkcs12(const SecureBytes& pfx, const SecureString& passphrase) {
  BioPtr bio(BIO_new_mem_buf(pfx.data(), static_cast<int>(pfx.size())), BIO_free);
  PKCS12* p12 = bio ? d2i_PKCS12_bio(bio.get(), nullptr) : nullptr;
  if (!p12) return KeyError(codes::kPfxImport, "PFX: not a PKCS#12 file");
  EVP_PKEY* pkey = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  const int parsed = PKCS12_parse(p12, passphrase.c_str(), &pkey, &cert, &chain);
  PKCS12_free(p12);
  X509_free(cert);
  sk_X509_pop_free(chain, X509_free);
  if (parsed != 1) {
    EVP_PKEY_free(pkey);
    return KeyError(codes::kPfxImport, "PFX: wrong passphrase or unreadable contents");
  }
  return Adopt(pkey, codes::kPfxImport, "PFX");
}

Result<std::unique_ptr<LocalRsaKey>> LocalRsaKey::FromJwk(const PrivateRsaJwk& jwk) {
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  std::vector<BnPtr> bns;
  for (const Part& part : kParts) {
    auto bytes = Base64UrlDecodeSecure(jwk.*part.member);
    if (!bytes.ok() || bytes->empty()) {
      return KeyError(codes::kInvalidArgument, "private JWK: a part (n, e, d, p, q, dp, dq, qi) is missing or not base64url");
    }
    BnPtr bn(BN_secure_new(), BN_clear_free);
    if (!bn || !BN_bin2bn(bytes->data(), static_cast<int>(bytes->size()), bn.get()) ||
        OSSL_PARAM_BLD_push_BN(bld.get(), part.ossl, bn.get()) != 1) {
      return KeyError(codes::kFailure, "private JWK: out of memory");
    }
    bns.push_back(std::move(bn));
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                 OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                  EVP_PKEY_CTX_free);
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return KeyError(codes::kInvalidArgument, "private JWK: the RSA parameters are invalid");
  }
  auto key = Adopt(pkey, codes::kInvalidArgument, "private JWK");
  if (!key.ok()) return key;
  // Inconsistent parts would only show later as unwraps that fail everywhere.
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr),
                                                                    EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
    return KeyError(codes::kInvalidArgument, "private JWK: the RSA parameters are inconsistent");
  }
  return key;
}

Result<PrivateRsaJwk> LocalRsaKey::ToJwk() const {
  PrivateRsaJwk jwk;
  for (const Part& part : kParts) {
    auto value = PartOf(pkey_, part.ossl);
    if (!value.ok()) return value.status();
    jwk.*part.member = std::move(value).value();
  }
  return jwk;
}

Result<SecureString> LocalRsaKey::ToEncryptedPkcs8Pem(const SecureString& passphrase) const {
  if (passphrase.empty()) return KeyError(codes::kInvalidArgument, "an escrow needs a non-empty passphrase");
  BioPtr bio(BIO_new(BIO_s_secmem()), BIO_free);
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_, EVP_aes_256_cbc(), passphrase.data(),
                                            static_cast<int>(passphrase.size()), nullptr, nullptr) != 1) {
    return KeyError(codes::kFailure, "cannot encode the private key as encrypted PKCS#8");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return SecureString(data, static_cast<std::size_t>(size));
}

}  // namespace geoekm
