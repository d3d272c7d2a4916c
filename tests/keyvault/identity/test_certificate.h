// TestCertificate: a fresh RSA key and self-signed certificate written to a
// unique temp directory as PEM (combined and split) and PFX, for tests of
// certificate credentials. Removed with the object.
#pragma once

#include <string>

#include "core/secure_bytes.h"

namespace geoekm {

class TestCertificate {
 public:
  explicit TestCertificate(const std::string& pfx_password = "pfx-pass", int bits = 2048);
  ~TestCertificate();

  std::string dir;
  std::string combined_pem;  // certificate + private key
  std::string cert_pem;      // certificate only
  std::string key_pem;       // private key only
  std::string encrypted_key_pem;  // private key, encrypted with password_file's content
  std::string pfx;           // PKCS#12, protected by password_file's content
  std::string password_file;
  Bytes der;                 // the certificate, DER
};

}  // namespace geoekm
