#include "vaultsim/test_pki.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/error_codes.h"
#include "vaultsim/random_hex.h"
#include "vaultsim/status_try.h"

namespace geoekm::vaultsim {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

Status Fail(const std::string& what) { return Status(codes::kProviderError, ErrorClass::kInternal, "pki: " + what); }

PkeyPtr NewRsaKey() { return PkeyPtr(EVP_RSA_gen(2048), EVP_PKEY_free); }

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Issues a certificate for `key`; self-signed when issuer is null.
X509Ptr IssueCert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                  const std::string& san, const char* eku) {
  X509Ptr cert(X509_new(), X509_free);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return X509Ptr(nullptr, X509_free);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = cert && bn && X509_set_version(cert.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  if (!ok) return X509Ptr(nullptr, X509_free);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("geoekm vaultsim"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  ok = AddExtension(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
       AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash") &&
       AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always") &&
       AddExtension(cert.get(), signer, NID_key_usage,
                    ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature,keyEncipherment");
  if (ok && !san.empty()) ok = AddExtension(cert.get(), signer, NID_subject_alt_name, san.c_str());
  if (ok && eku) ok = AddExtension(cert.get(), signer, NID_ext_key_usage, eku);
  if (!ok || X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) return X509Ptr(nullptr, X509_free);
  return cert;
}

Status WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Fail("cannot write " + path + ": " + std::strerror(errno));
  ::fchmod(fd, mode);  // an existing file keeps its old mode otherwise
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ok = ::close(fd) == 0 && ok;
  return ok ? Status::Ok() : Fail("cannot write " + path);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio.get());
}

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  return BioText(bio.get());
}

}  // namespace

Status GeneratePki(const PkiOptions& o) {
  if (o.out_dir.empty()) return Fail("no output directory");
  if (::mkdir(o.out_dir.c_str(), 0755) != 0 && errno != EEXIST) return Fail("cannot create " + o.out_dir);
  const std::string dir = o.out_dir + "/";

  PkeyPtr ca_key = NewRsaKey();
  if (!ca_key) return Fail("key generation failed");
  X509Ptr ca = IssueCert("geoekm vaultsim test CA", ca_key.get(), nullptr, nullptr, true, "", nullptr);
  if (!ca) return Fail("CA certificate failed");
  VAULTSIM_TRY(WriteFile(dir + "ca.pem", CertPem(ca.get()), 0644));
  VAULTSIM_TRY(WriteFile(dir + "ca-key.pem", KeyPem(ca_key.get()), 0600));

  for (const std::string& host : o.hosts) {
    PkeyPtr key = NewRsaKey();
    X509Ptr cert = key ? IssueCert(host, key.get(), ca.get(), ca_key.get(), false,
                                   "DNS:" + host + ",IP:127.0.0.1", "serverAuth")
                       : X509Ptr(nullptr, X509_free);
    if (!cert) return Fail("server certificate for " + host + " failed");
    VAULTSIM_TRY(WriteFile(dir + host + "-cert.pem", CertPem(cert.get()), 0644));
    VAULTSIM_TRY(WriteFile(dir + host + "-key.pem", KeyPem(key.get()), 0600));
  }

  PkeyPtr signing_key = NewRsaKey();
  X509Ptr signing = signing_key ? IssueCert("geoekm vaultsim token signing", signing_key.get(), nullptr, nullptr,
                                            false, "", nullptr)
                                : X509Ptr(nullptr, X509_free);
  if (!signing) return Fail("token signing certificate failed");
  VAULTSIM_TRY(WriteFile(dir + "signing-cert.pem", CertPem(signing.get()), 0644));
  VAULTSIM_TRY(WriteFile(dir + "signing-key.pem", KeyPem(signing_key.get()), 0600));

  for (int n = 1; n <= o.client_certs; ++n) {
    const std::string base = dir + "client-" + std::to_string(n);
    PkeyPtr key = NewRsaKey();
    X509Ptr cert = key ? IssueCert("geoekm-client-" + std::to_string(n), key.get(), ca.get(), ca_key.get(), false, "",
                                   "clientAuth")
                       : X509Ptr(nullptr, X509_free);
    if (!cert) return Fail("client certificate failed");
    const std::string key_pem = KeyPem(key.get());
    const std::string cert_pem = CertPem(cert.get());
    VAULTSIM_TRY(WriteFile(base + "-cert.pem", cert_pem, 0644));
    VAULTSIM_TRY(WriteFile(base + "-key.pem", key_pem, 0600));
    VAULTSIM_TRY(WriteFile(base + ".pem", key_pem + cert_pem, 0600));
    const std::string password = RandomHex(12);
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> chain(sk_X509_new_null(),
                                                                     [](STACK_OF(X509)* s) { sk_X509_free(s); });
    sk_X509_push(chain.get(), ca.get());
    const std::string friendly = "geoekm-client-" + std::to_string(n);
    std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(
        PKCS12_create(password.c_str(), friendly.c_str(), key.get(), cert.get(), chain.get(), 0, 0, 0, 0, 0),
        PKCS12_free);
    if (!p12) return Fail("PKCS#12 creation failed");
    BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
    i2d_PKCS12_bio(bio.get(), p12.get());
    VAULTSIM_TRY(WriteFile(base + ".pfx", BioText(bio.get()), 0600));
    VAULTSIM_TRY(WriteFile(base + ".pfx.password", password, 0600));
  }
  return Status::Ok();
}

int RunPkiCommand(int argc, char** argv) {
  PkiOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      o.out_dir = argv[++i];
    } else if (arg == "--hosts" && i + 1 < argc) {
      std::stringstream list(argv[++i]);
      for (std::string h; std::getline(list, h, ',');) {
        if (!h.empty()) o.hosts.push_back(h);
      }
    } else if (arg == "--client-certs" && i + 1 < argc) {
      o.client_certs = std::atoi(argv[++i]);
    } else {
      std::cerr << "usage: vaultsim pki --out DIR --hosts h1,h2,... [--client-certs N]\n";
      return 2;
    }
  }
  if (o.out_dir.empty() || o.client_certs < 0) {
    std::cerr << "usage: vaultsim pki --out DIR --hosts h1,h2,... [--client-certs N]\n";
    return 2;
  }
  Status s = GeneratePki(o);
  if (!s.ok()) {
    std::cerr << "vaultsim pki: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace geoekm::vaultsim
