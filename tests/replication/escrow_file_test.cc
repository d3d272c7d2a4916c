// The operator's escrow: encrypted PKCS#8 PEM written 0600 and never over an
// existing file, read back (PEM and PFX) only with the right passphrase,
// from a private passphrase file; the key's JWK round-trips.
#include "replication/escrow_file.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "core/error_codes.h"
#include "tests/support/temp_dir.h"

namespace geoekm::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

class EscrowFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto generated = LocalRsaKey::Generate(2048);
    ASSERT_TRUE(generated.ok()) << generated.status().ToString();
    key_ = std::move(generated).value().release();
  }
  static void TearDownTestSuite() { delete key_; }

  static LocalRsaKey* key_;
  TempDir dir_{"geoekm-escrow"};
  const SecureString pass_ = "correct horse battery staple";
};
LocalRsaKey* EscrowFile::key_ = nullptr;

TEST_F(EscrowFile, WritesEncryptedPkcs8Mode0600AndReadsTheSameKeyBack) {
  const std::string path = dir_.File("tde.escrow.pem");
  ::umask(022);  // a permissive umask must not loosen the file
  ASSERT_TRUE(WriteEscrowFile(path, *key_, pass_).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string text = Slurp(path);
  EXPECT_NE(text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----"), std::string::npos) << text.substr(0, 60);
  auto jwk = key_->ToJwk();
  ASSERT_TRUE(jwk.ok());
  EXPECT_EQ(text.find(std::string(jwk->d.substr(0, 40))), std::string::npos);  // not the private exponent in clear
  EXPECT_EQ(text.find(std::string(pass_)), std::string::npos);

  auto back = ReadEscrowFile(path, pass_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->thumbprint(), key_->thumbprint());
  EXPECT_EQ((*back)->bits(), 2048);
}

TEST_F(EscrowFile, WrongPassphraseIsError3816AndNamesNoSecret) {
  const std::string path = dir_.File("e.pem");
  ASSERT_TRUE(WriteEscrowFile(path, *key_, pass_).ok());
  auto back = ReadEscrowFile(path, SecureString("wrong passphrase"));
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), codes::kPemPrivateKey);
  EXPECT_EQ(back.status().message().find("wrong passphrase\""), std::string::npos);
  EXPECT_NE(back.status().message().find(path), std::string::npos);
}

TEST_F(EscrowFile, NeverOverwritesAnExistingFile) {
  const std::string path = dir_.File("old.pem");
  WriteFile(path, "the only copy of an older version", 0600);
  Status s = WriteEscrowFile(path, *key_, pass_);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exists"), std::string::npos) << s.message();
  EXPECT_EQ(Slurp(path), "the only copy of an older version");
}

TEST_F(EscrowFile, EmptyPassphraseIsRefusedAndLeavesNoFile) {
  const std::string path = dir_.File("none.pem");
  EXPECT_FALSE(WriteEscrowFile(path, *key_, SecureString()).ok());
  struct stat st {};
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}

TEST_F(EscrowFile, ReadsPfx) {
  // A PFX as an HSM vendor's export or `openssl pkcs12 -export` makes it.
  auto pem = key_->ToEncryptedPkcs8Pem(pass_);
  ASSERT_TRUE(pem.ok());
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, const_cast<char*>(pass_.c_str()));
  BIO_free(bio);
  ASSERT_NE(pkey, nullptr);
  PKCS12* p12 = PKCS12_create(pass_.c_str(), "tde", pkey, nullptr, nullptr, 0, 0, 0, 0, 0);
  EVP_PKEY_free(pkey);
  ASSERT_NE(p12, nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_PKCS12(p12, &der);
  PKCS12_free(p12);
  const std::string path = dir_.File("tde.pfx");
  WriteFile(path, std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(len)), 0600);
  OPENSSL_free(der);

  auto back = ReadEscrowFile(path, pass_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->thumbprint(), key_->thumbprint());
  auto wrong = ReadEscrowFile(path, SecureString("nope"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), codes::kPfxImport);
}

TEST_F(EscrowFile, PassphraseFileMustBePrivateAndNonEmpty) {
  const std::string path = dir_.File("pass");
  WriteFile(path, "s3cret passphrase\n", 0644);
  auto open = ReadPassphraseFile(path);
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("chmod 600"), std::string::npos) << open.status().message();
  EXPECT_EQ(open.status().message().find("s3cret"), std::string::npos);
  ::chmod(path.c_str(), 0600);
  auto ok = ReadPassphraseFile(path);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(std::string(ok->begin(), ok->end()), "s3cret passphrase");  // trailing newline dropped
  WriteFile(path, "\n", 0600);
  EXPECT_FALSE(ReadPassphraseFile(path).ok());
  EXPECT_FALSE(ReadPassphraseFile(dir_.File("absent")).ok());
}

TEST_F(EscrowFile, JwkRoundTripKeepsTheThumbprintAndRejectsInconsistentParts) {
  auto jwk = key_->ToJwk();
  ASSERT_TRUE(jwk.ok());
  auto back = LocalRsaKey::FromJwk(*jwk);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->thumbprint(), key_->thumbprint());
  EXPECT_EQ((*back)->n(), std::string(jwk->n.begin(), jwk->n.end()));
  auto other = LocalRsaKey::Generate(2048);
  ASSERT_TRUE(other.ok());
  auto other_jwk = (*other)->ToJwk();
  ASSERT_TRUE(other_jwk.ok());
  jwk->p = other_jwk->p;  // n != p*q
  EXPECT_FALSE(LocalRsaKey::FromJwk(*jwk).ok());
}

TEST(LocalRsaKeyGenerate, SizesFromTheConfigOnly) {
  EXPECT_FALSE(LocalRsaKey::Generate(1024).ok());
  auto k = LocalRsaKey::Generate(3072);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)->bits(), 3072);
  EXPECT_EQ((*k)->thumbprint().size(), 43u);
}

}  // namespace
}  // namespace geoekm::testing
