#include "tests/router/test_rsa_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <cassert>
#include <vector>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"

namespace geoekm::testing {

namespace {

std::string BignumParam(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return "";
  std::vector<unsigned char> buf(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, buf.data());
  BN_free(bn);
  return Base64UrlEncode(buf.data(), buf.size());
}

bool SetPadding(EVP_PKEY_CTX* ctx, WrapAlgorithm alg) {
  switch (alg) {
    case WrapAlgorithm::kRsa15: return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
    case WrapAlgorithm::kRsaOaep:
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) > 0;
    case WrapAlgorithm::kRsaOaep256:
      return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0;
  }
  return false;
}

Status BadRequest(const char* what) {
  return Status(codes::kHttpClientError, ErrorClass::kBadRequest, what).WithHttp(400, "BadParameter", "");
}

}  // namespace

std::shared_ptr<const TestRsaKey> TestRsaKey::Generate(int bits) {
  EVP_PKEY* pkey = EVP_RSA_gen(static_cast<unsigned>(bits));
  assert(pkey);
  return std::shared_ptr<const TestRsaKey>(new TestRsaKey(pkey));
}

TestRsaKey::TestRsaKey(EVP_PKEY* pkey)
    : pkey_(pkey), n_(BignumParam(pkey, OSSL_PKEY_PARAM_RSA_N)), e_(BignumParam(pkey, OSSL_PKEY_PARAM_RSA_E)) {}

TestRsaKey::~TestRsaKey() { EVP_PKEY_free(pkey_); }

std::string TestRsaKey::Thumbprint() const {
  auto t = RsaJwkThumbprint("RSA", n_, e_);
  return t.ok() ? *t : "";
}

Result<Bytes> TestRsaKey::Encrypt(WrapAlgorithm alg, const SecureBytes& plaintext) const {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey_, nullptr);
  Bytes out;
  std::size_t len = 0;
  bool ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 && SetPadding(ctx, alg) &&
            EVP_PKEY_encrypt(ctx, nullptr, &len, plaintext.data(), plaintext.size()) > 0;
  if (ok) {
    out.resize(len);
    ok = EVP_PKEY_encrypt(ctx, out.data(), &len, plaintext.data(), plaintext.size()) > 0;
    out.resize(len);
  }
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return BadRequest("plaintext cannot be wrapped with this key");
  return out;
}

Result<SecureBytes> TestRsaKey::Decrypt(WrapAlgorithm alg, const Bytes& ciphertext) const {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey_, nullptr);
  SecureBytes out;
  std::size_t len = 0;
  bool ok = ctx && EVP_PKEY_decrypt_init(ctx) > 0 && SetPadding(ctx, alg) &&
            EVP_PKEY_decrypt(ctx, nullptr, &len, ciphertext.data(), ciphertext.size()) > 0;
  if (ok) {
    out.resize(len);
    ok = EVP_PKEY_decrypt(ctx, out.data(), &len, ciphertext.data(), ciphertext.size()) > 0;
    out.resize(len);
  }
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return BadRequest("the ciphertext does not decrypt with this key");
  return out;
}

}  // namespace geoekm::testing
