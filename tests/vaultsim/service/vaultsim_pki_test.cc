// `vaultsim pki` output: files, modes, SANs, chains, and a PKCS#12 that opens
// with its password.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "tests/support/vaultsim_process.h"

namespace geoekm::testing {
namespace {

X509* ReadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return nullptr;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return cert;
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

TEST(PkiCommand, WritesTheDocumentedFiles) {
  TempDir dir("geoekm-pki-test");
  const std::string out = dir.File("pki");
  const std::string cmd = VaultSimBinary() + " pki --out " + out + " --hosts a.vault.test,b.vault.test --client-certs 2";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  for (const char* f : {"ca.pem", "a.vault.test-cert.pem", "b.vault.test-cert.pem", "signing-cert.pem",
                        "client-1-cert.pem", "client-2-cert.pem"}) {
    EXPECT_EQ(Mode(out + "/" + f), 0644u) << f;
  }
  for (const char* f : {"ca-key.pem", "a.vault.test-key.pem", "signing-key.pem", "client-1-key.pem", "client-1.pem",
                        "client-1.pfx", "client-1.pfx.password", "client-2.pfx"}) {
    EXPECT_EQ(Mode(out + "/" + f), 0600u) << f;
  }

  X509* ca = ReadCert(out + "/ca.pem");
  X509* server = ReadCert(out + "/a.vault.test-cert.pem");
  X509* client = ReadCert(out + "/client-1-cert.pem");
  ASSERT_TRUE(ca && server && client);
  EXPECT_EQ(X509_check_host(server, "a.vault.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(server, "b.vault.test", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  for (X509* leaf : {server, client}) {
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, nullptr);
    EXPECT_EQ(X509_verify_cert(ctx), 1);
    X509_STORE_CTX_free(ctx);
  }
  X509_STORE_free(store);

  std::string password;
  std::ifstream(out + "/client-1.pfx.password") >> password;
  EXPECT_GE(password.size(), 16u);
  FILE* f = std::fopen((out + "/client-1.pfx").c_str(), "rb");
  ASSERT_TRUE(f);
  PKCS12* p12 = d2i_PKCS12_fp(f, nullptr);
  std::fclose(f);
  ASSERT_TRUE(p12);
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  EXPECT_EQ(PKCS12_parse(p12, "wrong", &key, &cert, nullptr), 0);
  ASSERT_EQ(PKCS12_parse(p12, password.c_str(), &key, &cert, nullptr), 1);
  EXPECT_EQ(X509_cmp(cert, client), 0);
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  EVP_PKEY_free(key);
  X509_free(cert);
  PKCS12_free(p12);
  X509_free(ca);
  X509_free(server);
  X509_free(client);

  EXPECT_NE(std::system((VaultSimBinary() + " pki --bogus 2>/dev/null").c_str()), 0);
}

}  // namespace
}  // namespace geoekm::testing
