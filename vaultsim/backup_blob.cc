#include "vaultsim/backup_blob.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <memory>

namespace geoekm::vaultsim {
namespace {

constexpr std::string_view kMarker = "VaultsimKeyBackupV1.geoekm.test";
constexpr std::uint8_t kFormatVersion = 1;
constexpr std::size_t kIvSize = 12;
constexpr std::size_t kTagSize = 16;

SecureBytes DeriveKey(const std::string& secret) {
  SecureBytes key(32);
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr), EVP_KDF_free);
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr,
                                                                 EVP_KDF_CTX_free);
  static const char kInfo[] = "vaultsim key backup v1";
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(kInfo), sizeof(kInfo) - 1),
      OSSL_PARAM_construct_end()};
  if (!ctx || EVP_KDF_derive(ctx.get(), key.data(), key.size(), params) != 1) key.clear();
  return key;
}

Bytes Header(const std::string& geography) {
  // Built as a string: g++ 12 misreports push_back after insert on a vector
  // as an overflow (-Wstringop-overflow).
  std::string h;
  h += static_cast<char>(kMarker.size());
  h += kMarker;
  h += static_cast<char>(kFormatVersion);
  h += static_cast<char>(geography.size());
  h += geography;
  return Bytes(h.begin(), h.end());
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

Bytes SealBackupBlob(const std::string& geography, const std::string& secret, const SecureBytes& plaintext) {
  Bytes blob = Header(geography.substr(0, 255));
  const std::size_t aad_size = blob.size();
  std::array<std::uint8_t, kIvSize> iv{};
  SecureBytes key = DeriveKey(secret);
  if (key.empty() || RAND_bytes(iv.data(), static_cast<int>(iv.size())) != 1) return {};
  blob.insert(blob.end(), iv.begin(), iv.end());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  std::size_t ct_offset = blob.size();
  blob.resize(ct_offset + plaintext.size() + kTagSize);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), iv.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, blob.data(), static_cast<int>(aad_size)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), blob.data() + ct_offset, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), blob.data() + ct_offset + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, blob.data() + ct_offset + plaintext.size()) != 1) {
    return {};
  }
  return blob;
}

OpenedBackup OpenBackupBlob(const Bytes& blob, const std::string& geography, const std::string& secret) {
  OpenedBackup out;
  std::size_t pos = 0;
  auto take = [&](std::size_t n) -> const std::uint8_t* {
    if (blob.size() - pos < n) return nullptr;
    const std::uint8_t* p = blob.data() + pos;
    pos += n;
    return p;
  };
  const std::uint8_t* marker_len = take(1);
  if (!marker_len || *marker_len != kMarker.size()) return out;
  const std::uint8_t* marker = take(kMarker.size());
  if (!marker || std::memcmp(marker, kMarker.data(), kMarker.size()) != 0) return out;
  const std::uint8_t* version = take(1);
  if (!version || *version != kFormatVersion) return out;
  const std::uint8_t* geo_len = take(1);
  const std::uint8_t* geo = geo_len ? take(*geo_len) : nullptr;
  if (!geo) return out;
  out.blob_geography.assign(reinterpret_cast<const char*>(geo), *geo_len);
  const std::size_t aad_size = pos;
  const std::uint8_t* iv = take(kIvSize);
  if (!iv || blob.size() - pos < kTagSize) return out;
  const std::size_t ct_size = blob.size() - pos - kTagSize;
  const std::uint8_t* ct = blob.data() + pos;
  const std::uint8_t* tag = ct + ct_size;
  if (out.blob_geography != geography) {
    out.error = BackupOpenError::kOtherGeography;
    return out;
  }
  SecureBytes key = DeriveKey(secret);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  SecureBytes plain(ct_size + 16);
  int len = 0, fin = 0;
  if (key.empty() || !ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), iv) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, blob.data(), static_cast<int>(aad_size)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), plain.data(), &len, ct, static_cast<int>(ct_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, const_cast<std::uint8_t*>(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &fin) != 1) {
    return out;  // wrong secret or tampered: indistinguishable, both "corrupt"
  }
  plain.resize(static_cast<std::size_t>(len + fin));
  out.plaintext = std::move(plain);
  out.ok = true;
  return out;
}

}  // namespace geoekm::vaultsim
