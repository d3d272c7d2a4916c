// RsaKey: one RSA key pair held by the simulated vault, with the Key Vault
// RSA encryption algorithms (RSA-OAEP, RSA-OAEP-256, RSA1_5) done by OpenSSL
// EVP. Created by generation, JWK import or from its stored PEM.
//
// Thread safety: immutable after creation; Encrypt/Decrypt may be called
// concurrently (each call uses its own EVP_PKEY_CTX).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secure_bytes.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace geoekm::vaultsim {

enum class RsaAlgorithm { kRsaOaep, kRsaOaep256, kRsa15 };

// "RSA-OAEP", "RSA-OAEP-256", "RSA1_5" (exact spelling, as the service).
std::optional<RsaAlgorithm> ParseRsaAlgorithm(std::string_view name);

// The private parts of an RSA JWK, big-endian unsigned integers.
struct RsaPrivateParts {
  Bytes n, e, d, p, q, dp, dq, qi;
};

class RsaKey {
 public:
  static Result<std::shared_ptr<const RsaKey>> Generate(int bits);
  static Result<std::shared_ptr<const RsaKey>> FromParts(const RsaPrivateParts& parts);
  static Result<std::shared_ptr<const RsaKey>> FromPrivatePem(const std::string& pem);
  ~RsaKey();
  RsaKey(const RsaKey&) = delete;
  RsaKey& operator=(const RsaKey&) = delete;

  int bits() const;
  Bytes modulus() const;          // n, minimal big-endian
  Bytes public_exponent() const;  // e, minimal big-endian
  SecureString PrivatePem() const;

  // Errors are kBadRequest with a message fit for a 400 BadParameter body.
  Result<Bytes> Encrypt(RsaAlgorithm alg, const SecureBytes& plaintext) const;
  Result<SecureBytes> Decrypt(RsaAlgorithm alg, const Bytes& ciphertext) const;

 private:
  explicit RsaKey(EVP_PKEY* pkey) : pkey_(pkey) {}
  EVP_PKEY* pkey_;
};

}  // namespace geoekm::vaultsim
