#include "vaultsim/rsa_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/error_codes.h"

namespace geoekm::vaultsim {
namespace {

Status Bad(const std::string& message) { return Status(codes::kInvalidArgument, ErrorClass::kBadRequest, message); }
Status Internal(const std::string& message) { return Status(codes::kProviderError, ErrorClass::kInternal, message); }

struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxDeleter>;

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

Bytes BnToBytes(const BIGNUM* bn) {
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  return out;
}

Bytes GetBnParam(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return {};
  Bytes out = BnToBytes(bn);
  BN_clear_free(bn);
  return out;
}

// Configures padding (and OAEP digests) on an encrypt/decrypt context.
bool SetPadding(EVP_PKEY_CTX* ctx, RsaAlgorithm alg) {
  switch (alg) {
    case RsaAlgorithm::kRsa15:
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    case RsaAlgorithm::kRsaOaep:
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) == 1;
    case RsaAlgorithm::kRsaOaep256:
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1;
  }
  return false;
}

}  // namespace

std::optional<RsaAlgorithm> ParseRsaAlgorithm(std::string_view name) {
  if (name == "RSA-OAEP") return RsaAlgorithm::kRsaOaep;
  if (name == "RSA-OAEP-256") return RsaAlgorithm::kRsaOaep256;
  if (name == "RSA1_5") return RsaAlgorithm::kRsa15;
  return std::nullopt;
}

RsaKey::~RsaKey() { EVP_PKEY_free(pkey_); }

Result<std::shared_ptr<const RsaKey>> RsaKey::Generate(int bits) {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &pkey) != 1) {
    return Internal("RSA key generation failed");
  }
  return std::shared_ptr<const RsaKey>(new RsaKey(pkey));
}

Result<std::shared_ptr<const RsaKey>> RsaKey::FromParts(const RsaPrivateParts& parts) {
  const Bytes* all[] = {&parts.n, &parts.e, &parts.d, &parts.p, &parts.q, &parts.dp, &parts.dq, &parts.qi};
  const char* names[] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_D,
                         OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                         OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  std::vector<BnPtr> bns;
  for (std::size_t i = 0; i < 8; ++i) {
    if (all[i]->empty()) return Bad("The RSA key is missing private key parts (n, e, d, p, q, dp, dq, qi are required).");
    BnPtr bn(BN_bin2bn(all[i]->data(), static_cast<int>(all[i]->size()), nullptr));
    if (!bn || OSSL_PARAM_BLD_push_BN(bld.get(), names[i], bn.get()) != 1) return Internal("RSA import failed");
    bns.push_back(std::move(bn));
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return Bad("The RSA key parameters are invalid.");
  }
  std::shared_ptr<const RsaKey> key(new RsaKey(pkey));
  // Reject inconsistent parts (n != p*q etc.): a key that cannot decrypt its
  // own ciphertext would only surface later as a confusing unwrap failure.
  CtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) return Bad("The RSA key parameters are inconsistent.");
  return key;
}

Result<std::shared_ptr<const RsaKey>> RsaKey::FromPrivatePem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!pkey) return Internal("stored RSA private key is not readable PEM");
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    return Internal("stored private key is not RSA");
  }
  return std::shared_ptr<const RsaKey>(new RsaKey(pkey));
}

int RsaKey::bits() const { return EVP_PKEY_get_bits(pkey_); }
Bytes RsaKey::modulus() const { return GetBnParam(pkey_, OSSL_PKEY_PARAM_RSA_N); }
Bytes RsaKey::public_exponent() const { return GetBnParam(pkey_, OSSL_PKEY_PARAM_RSA_E); }

SecureString RsaKey::PrivatePem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_secmem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return SecureString(data, static_cast<std::size_t>(len));
}

Result<Bytes> RsaKey::Encrypt(RsaAlgorithm alg, const SecureBytes& plaintext) const {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_, nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 || !SetPadding(ctx.get(), alg)) return Internal("RSA encrypt setup failed");
  std::size_t out_len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &out_len, plaintext.data(), plaintext.size()) != 1) {
    return Internal("RSA encrypt setup failed");
  }
  Bytes out(out_len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &out_len, plaintext.data(), plaintext.size()) != 1) {
    return Bad("The value is too long for the key size and algorithm.");
  }
  out.resize(out_len);
  return out;
}

Result<SecureBytes> RsaKey::Decrypt(RsaAlgorithm alg, const Bytes& ciphertext) const {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_, nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 || !SetPadding(ctx.get(), alg)) return Internal("RSA decrypt setup failed");
  std::size_t out_len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &out_len, ciphertext.data(), ciphertext.size()) != 1) {
    return Bad("The value is not a valid ciphertext for this key.");
  }
  SecureBytes out(out_len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &out_len, ciphertext.data(), ciphertext.size()) != 1) {
    return Bad("Decryption failed: the value is not a valid ciphertext for this key and algorithm.");
  }
  out.resize(out_len);
  return out;
}

}  // namespace geoekm::vaultsim
