#include "keyvault/identity/client_assertion.h"

#include <Poco/Crypto/EVPPKey.h>
#include <Poco/Crypto/PKCS12Container.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Exception.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/random_uuid.h"
#include "core/secure_bytes.h"
#include "keyvault/identity/client_secret_source.h"
#include "keyvault/identity/form_body.h"

namespace geoekm {
namespace {

Status PemError(const std::string& file, std::string_view why) {
  return Status(codes::kPemPrivateKey, ErrorClass::kAuth, "certificate '" + file + "': " + std::string(why));
}

Status PfxError(const std::string& file, std::string_view why) {
  return Status(codes::kPfxImport, ErrorClass::kAuth, "PFX certificate '" + file + "': " + std::string(why));
}

Result<std::string> Thumbprint(const X509* cert, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, md, digest, &len) != 1) {
    return Status(codes::kJwtCreateSignature, ErrorClass::kInternal, "cannot hash the certificate");
  }
  return Base64UrlEncode(digest, len);
}

// OpenSSL directly rather than Poco's EVPPKey(file) constructor, which leaks
// its EVP_PKEY when the file holds no key. Skips other PEM blocks (the
// certificate) before the key.
EVP_PKEY* ReadPemPrivateKey(const std::string& path, const std::string& password) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, const_cast<char*>(password.c_str()));
  BIO_free(bio);
  ERR_clear_error();
  return key;
}

class LoadedCertificate : public ClientCertificate {
 public:
  LoadedCertificate(Poco::Crypto::X509Certificate cert, Poco::Crypto::EVPPKey key, std::string x5t,
                    std::string x5t_s256)
      : cert_(std::move(cert)),
        key_(new Poco::Crypto::RSAKey(key)),
        x5t_(std::move(x5t)),
        x5t_s256_(std::move(x5t_s256)) {}

  const std::string& x5t() const override { return x5t_; }
  const std::string& x5t_s256() const override { return x5t_s256_; }

  Result<SecureString> Assertion(const std::string& audience, const std::string& client_id,
                                 std::int64_t now) const override {
    try {
      Poco::JWT::Token token;
      token.setType("JWT");
      token.header().set("x5t", x5t_);
      token.header().set("x5t#S256", x5t_s256_);
      token.payload().set("aud", audience);
      token.payload().set("iss", client_id);
      token.payload().set("sub", client_id);
      token.payload().set("jti", RandomUuid());
      token.payload().set("nbf", static_cast<Poco::Int64>(now));
      token.payload().set("exp", static_cast<Poco::Int64>(now + 600));
      Poco::JWT::Signer signer(key_);
      std::string jwt = signer.sign(token, Poco::JWT::Signer::ALGO_RS256);
      SecureString out(jwt.begin(), jwt.end());
      WipeString(jwt);
      return out;
    } catch (const Poco::Exception& e) {
      return Status(codes::kJwtCreateSignature, ErrorClass::kInternal,
                    "cannot sign the client assertion: " + e.displayText());
    }
  }

 private:
  Poco::Crypto::X509Certificate cert_;
  Poco::SharedPtr<Poco::Crypto::RSAKey> key_;
  std::string x5t_;
  std::string x5t_s256_;
};

Result<std::shared_ptr<const ClientCertificate>> Finish(const std::string& file, Poco::Crypto::X509Certificate cert,
                                                        Poco::Crypto::EVPPKey key) {
  const EVP_PKEY* pkey = key;
  if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) return PemError(file, "the private key is not an RSA key");
  if (X509_check_private_key(cert.certificate(), pkey) != 1) {
    return PemError(file, "the private key does not belong to the certificate");
  }
  Result<std::string> sha1 = Thumbprint(cert.certificate(), EVP_sha1());
  if (!sha1.ok()) return sha1.status();
  Result<std::string> sha256 = Thumbprint(cert.certificate(), EVP_sha256());
  if (!sha256.ok()) return sha256.status();
  return std::shared_ptr<const ClientCertificate>(
      new LoadedCertificate(std::move(cert), std::move(key), std::move(sha1).value(), std::move(sha256).value()));
}

}  // namespace

Result<std::shared_ptr<const ClientCertificate>> ClientCertificate::Load(const std::string& certificate_file,
                                                                        const std::string& key_file,
                                                                        const std::string& password_file) {
  SecureString password;
  if (!password_file.empty()) {
    Result<SecureString> p = ReadSecretFile(password_file, "certificate password");
    if (!p.ok()) return p.status();
    password = std::move(p).value();
  }
  std::string pass(password.begin(), password.end());
  const WipeStringOnExit wipe(pass);

  std::ifstream in(certificate_file, std::ios::binary);
  if (!in) return PemError(certificate_file, "cannot read the file");
  char head[10] = {};
  in.read(head, sizeof(head));
  bool pem = std::string_view(head, static_cast<std::size_t>(in.gcount())).starts_with("-----BEGIN");
  in.close();
  if (!pem) {
    // Leading whitespace or comments before the PEM block are common too.
    std::ifstream again(certificate_file, std::ios::binary);
    std::stringstream content;
    content << again.rdbuf();
    pem = content.str().find("-----BEGIN") != std::string::npos;
  }

  if (pem) {
    try {
      Poco::Crypto::X509Certificate cert(certificate_file);
      const std::string& key_path = key_file.empty() ? certificate_file : key_file;
      EVP_PKEY* raw = ReadPemPrivateKey(key_path, pass);
      if (raw == nullptr) {
        return PemError(certificate_file, "no readable RSA private key in '" + key_path +
                                              "'; a PEM needs the certificate and its key, in one file or with a "
                                              "key file (wrong password?)");
      }
      Poco::Crypto::EVPPKey key(raw);  // takes its own reference
      EVP_PKEY_free(raw);
      return Finish(certificate_file, std::move(cert), std::move(key));
    } catch (const Poco::Exception& e) {
      return PemError(certificate_file, "no readable certificate (" + e.displayText() + ")");
    }
  }
  try {
    Poco::Crypto::PKCS12Container pfx(certificate_file, pass);
    if (!pfx.hasX509Certificate() || !pfx.hasKey()) return PfxError(certificate_file, "no certificate and key");
    return Finish(certificate_file, pfx.getX509Certificate(), pfx.getKey());
  } catch (const Poco::Exception& e) {
    return PfxError(certificate_file, "cannot import (wrong password or not a PKCS#12 file): " + e.displayText());
  }
}

}  // namespace geoekm
