// ClientCertificate: an X.509 certificate with its RSA private key, loaded
// from PEM (certificate and key in one file, or a separate key file) or
// PKCS#12/PFX (with an optional password file), and the RS256 client
// assertion JWT signed with it (docs/ARCHITECTURE.md §Entra tokens):
//   header  {"alg":"RS256","typ":"JWT","x5t":b64url SHA-1(DER),"x5t#S256":b64url SHA-256(DER)}
//   claims  {"aud":<token endpoint URL>,"iss":<client id>,"sub":<client id>,
//            "jti":<GUID>,"nbf":now,"exp":now+600}
// Parsing and signing are Poco::Crypto / Poco::JWT / OpenSSL.
//
// Thread safety: immutable after loading; Assertion() may be called
// concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm {

class ClientCertificate {
 public:
  // A file whose content starts with "-----BEGIN" is PEM, anything else is
  // PKCS#12. Errors: codes::kPfxImport (3809) for an unreadable PFX or a
  // wrong password, codes::kPemPrivateKey (3816) for a PEM without a usable
  // RSA key or a key that does not belong to the certificate (kAuth).
  static Result<std::shared_ptr<const ClientCertificate>> Load(const std::string& certificate_file,
                                                              const std::string& key_file,
                                                              const std::string& password_file);
  virtual ~ClientCertificate() = default;

  virtual const std::string& x5t() const = 0;       // b64url SHA-1 of the DER certificate
  virtual const std::string& x5t_s256() const = 0;  // b64url SHA-256 of the DER certificate

  // The signed JWT; `now` in Unix seconds. Fails with codes::kJwtCreateSignature.
  virtual Result<SecureString> Assertion(const std::string& audience, const std::string& client_id,
                                         std::int64_t now) const = 0;
};

}  // namespace geoekm
