#include "core/jwk_thumbprint.h"

#include <openssl/evp.h>

#include "core/base64url.h"
#include "core/error_codes.h"

namespace geoekm {
namespace {

Result<std::string> Canonical(std::string_view b64) {
  auto raw = Base64UrlDecode(b64);
  if (!raw.ok()) return raw.status();
  Bytes& bytes = raw.value();
  std::size_t skip = 0;
  while (skip + 1 < bytes.size() && bytes[skip] == 0) ++skip;
  if (bytes.empty()) return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "empty RSA parameter");
  return Base64UrlEncode(bytes.data() + skip, bytes.size() - skip);
}

}  // namespace

Result<std::string> RsaJwkThumbprint(std::string_view kty, std::string_view n_b64url, std::string_view e_b64url) {
  if (kty != "RSA" && kty != "RSA-HSM") {
    return Status(codes::kNotSupported, ErrorClass::kInvalidInput, "key type '" + std::string(kty) + "' is not RSA");
  }
  auto n = Canonical(n_b64url);
  if (!n.ok()) return Status(n.status()).Prefix("modulus n: ");
  auto e = Canonical(e_b64url);
  if (!e.ok()) return Status(e.status()).Prefix("exponent e: ");
  const std::string json = R"({"e":")" + *e + R"(","kty":"RSA","n":")" + *n + R"("})";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(json.data(), json.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    return Status(codes::kProviderError, ErrorClass::kInternal, "SHA-256 failed");
  }
  return Base64UrlEncode(digest, len);
}

}  // namespace geoekm
