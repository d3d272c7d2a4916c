// TestRsaKey: a real RSA key pair held in-process (OpenSSL), so the fake
// vaults wrap and unwrap for real: a DEK wrapped by one fake unwraps only
// where the same material is held, and a corrupt ciphertext fails like a
// real vault's 400.
//
// Thread safety: immutable after Generate(); Encrypt/Decrypt may be called
// concurrently (each call uses its own EVP_PKEY_CTX).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/keys/key_types.h"

namespace geoekm::testing {

class TestRsaKey {
 public:
  static std::shared_ptr<const TestRsaKey> Generate(int bits = 2048);
  ~TestRsaKey();
  TestRsaKey(const TestRsaKey&) = delete;
  TestRsaKey& operator=(const TestRsaKey&) = delete;

  const std::string& n() const { return n_; }  // base64url
  const std::string& e() const { return e_; }  // base64url
  std::string Thumbprint() const;

  Result<Bytes> Encrypt(WrapAlgorithm alg, const SecureBytes& plaintext) const;
  // A ciphertext that does not decrypt is a kBadRequest (HTTP 400), as in Key Vault.
  Result<SecureBytes> Decrypt(WrapAlgorithm alg, const Bytes& ciphertext) const;

 private:
  explicit TestRsaKey(EVP_PKEY* pkey);
  EVP_PKEY* pkey_;
  std::string n_, e_;
};

}  // namespace geoekm::testing
