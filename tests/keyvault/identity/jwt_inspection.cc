#include "tests/keyvault/identity/jwt_inspection.h"

#include <Poco/JSON/Parser.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>

#include "core/base64url.h"

namespace geoekm {
namespace {

Poco::JSON::Object::Ptr DecodePart(std::string_view b64) {
  auto bytes = Base64UrlDecode(b64);
  if (!bytes.ok()) return nullptr;
  try {
    return Poco::JSON::Parser()
        .parse(std::string(bytes->begin(), bytes->end()))
        .extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

bool Verify(X509* cert, std::string_view input, const Bytes& signature) {
  if (cert == nullptr) return false;
  EVP_PKEY* pub = X509_get_pubkey(cert);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = pub != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
            EVP_DigestVerify(ctx, signature.data(), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  X509_free(cert);
  return ok;
}

}  // namespace

DecodedJwt DecodeJwt(std::string_view jwt) {
  DecodedJwt out;
  auto dot1 = jwt.find('.');
  if (dot1 == std::string_view::npos) return out;
  auto dot2 = jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return out;
  out.header = DecodePart(jwt.substr(0, dot1));
  out.claims = DecodePart(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  out.signing_input = std::string(jwt.substr(0, dot2));
  auto sig = Base64UrlDecode(jwt.substr(dot2 + 1));
  if (sig.ok()) out.signature = std::move(sig).value();
  return out;
}

bool VerifyRs256(const Bytes& certificate_der, std::string_view input, const Bytes& signature) {
  const unsigned char* p = certificate_der.data();
  return Verify(d2i_X509(nullptr, &p, static_cast<long>(certificate_der.size())), input, signature);
}

bool VerifyRs256WithPemFile(const std::string& certificate_pem_file, std::string_view input, const Bytes& signature) {
  FILE* f = std::fopen(certificate_pem_file.c_str(), "rb");
  if (f == nullptr) return false;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return Verify(cert, input, signature);
}

}  // namespace geoekm
