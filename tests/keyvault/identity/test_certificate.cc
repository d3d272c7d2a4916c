#include "tests/keyvault/identity/test_certificate.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace geoekm {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

std::string Pem(int (*write)(BIO*, void*), void* obj) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(write(bio, obj) == 1, "PEM write");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

void Write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

}  // namespace

TestCertificate::TestCertificate(const std::string& pfx_password, int bits) {
  dir = Poco::TemporaryFile::tempName();
  Poco::File(dir).createDirectories();
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  Check(key != nullptr, "keygen");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("geoekm-test-app"), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  Check(X509_sign(cert, key, EVP_sha256()) > 0, "sign");

  std::string cert_text = Pem([](BIO* b, void* o) { return PEM_write_bio_X509(b, static_cast<X509*>(o)); }, cert);
  std::string key_text = Pem(
      [](BIO* b, void* o) {
        return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(o), nullptr, nullptr, 0, nullptr, nullptr);
      },
      key);
  BIO* enc = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PrivateKey(enc, key, EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                 const_cast<char*>(pfx_password.c_str())) == 1,
        "encrypted key");
  char* enc_data = nullptr;
  long enc_len = BIO_get_mem_data(enc, &enc_data);
  encrypted_key_pem = dir + "/key-encrypted.pem";
  Write(encrypted_key_pem, std::string(enc_data, static_cast<std::size_t>(enc_len)));
  BIO_free(enc);
  combined_pem = dir + "/combined.pem";
  cert_pem = dir + "/cert.pem";
  key_pem = dir + "/key.pem";
  Write(combined_pem, cert_text + key_text);
  Write(cert_pem, cert_text);
  Write(key_pem, key_text);

  int len = i2d_X509(cert, nullptr);
  der.resize(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(cert, &p);

  PKCS12* p12 = PKCS12_create(pfx_password.c_str(), "geoekm", key, cert, nullptr, 0, 0, 0, 0, 0);
  Check(p12 != nullptr, "PKCS12_create");
  pfx = dir + "/cert.pfx";
  FILE* f = std::fopen(pfx.c_str(), "wb");
  Check(f != nullptr && i2d_PKCS12_fp(f, p12) == 1, "write pfx");
  std::fclose(f);
  PKCS12_free(p12);
  password_file = dir + "/pfx.pass";
  Write(password_file, pfx_password + "\n");
  X509_free(cert);
  EVP_PKEY_free(key);
}

TestCertificate::~TestCertificate() {
  try {
    Poco::File(dir).remove(true);
  } catch (...) {
  }
}

}  // namespace geoekm
