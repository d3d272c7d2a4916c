// LocalRsaKey: an RSA private key held in this process — generated here for
// a rotation, or read from the operator's escrow — in the forms replication
// needs: the private JWK a BYOK import sends (PrivateRsaJwk), the RFC 7638
// thumbprint that names the version in every vault (docs/ARCHITECTURE.md,
// invariant 1), and passphrase-encrypted PKCS#8 PEM for the escrow file.
//
// All cryptography and ASN.1 is OpenSSL 3's (EVP_RSA_gen, PEM/PKCS#8,
// PKCS#12); the key lives in an EVP_PKEY, which OpenSSL clears when it is
// freed, and every copy of private parts made here is a wiped buffer
// (core/secure_bytes.h). Nothing here logs or puts key material into a
// Status message (docs/ARCHITECTURE.md, invariant 5).
//
// Thread safety: immutable after creation; const methods may be called
// concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/keys/key_types.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace geoekm {

class LocalRsaKey {
 public:
  // A fresh key of `bits` (2048, 3072 or 4096), exponent 65537.
  static Result<std::unique_ptr<LocalRsaKey>> Generate(int bits);
  // PEM holding a private key: PKCS#8 (encrypted or not) or PKCS#1. A wrong
  // passphrase, another key type or garbage is error 3816.
  static Result<std::unique_ptr<LocalRsaKey>> FromPem(const SecureString& pem, const SecureString& passphrase);
  // PKCS#12 (PFX) bytes; the key is taken, certificates are ignored. A wrong
  // passphrase or garbage is error 3809.
  static Result<std::unique_ptr<LocalRsaKey>> FromPkcs12(const SecureBytes& pfx, const SecureString& passphrase);
  // A private JWK (e.g. the testbed's JSON escrow, or what an import sent).
  static Result<std::unique_ptr<LocalRsaKey>> FromJwk(const PrivateRsaJwk& jwk);
  ~LocalRsaKey();
  LocalRsaKey(const LocalRsaKey&) = delete;
  LocalRsaKey& operator=(const LocalRsaKey&) = delete;

  int bits() const { return bits_; }
  // RFC 7638 JWK thumbprint of the public key (43 characters).
  const std::string& thumbprint() const { return thumbprint_; }
  // The public modulus and exponent, base64url (as a key bundle carries them).
  const std::string& n() const { return n_; }
  const std::string& e() const { return e_; }

  // The private JWK for KeyVaultKeyAdministration::ImportKey (wiped on destruction).
  Result<PrivateRsaJwk> ToJwk() const;
  // PKCS#8 "ENCRYPTED PRIVATE KEY" PEM, AES-256-CBC under a PBKDF2-derived
  // key (OpenSSL's PKCS#8 v2 defaults). An empty passphrase is refused.
  Result<SecureString> ToEncryptedPkcs8Pem(const SecureString& passphrase) const;

 private:
  explicit LocalRsaKey(EVP_PKEY* pkey) : pkey_(pkey) {}
  // Reads the public parts and the thumbprint; refuses non-RSA keys.
  static Result<std::unique_ptr<LocalRsaKey>> Adopt(EVP_PKEY* pkey, int error_code, const char* what);

  EVP_PKEY* pkey_;
  int bits_ = 0;
  std::string n_, e_, thumbprint_;
};

}  // namespace geoekm
