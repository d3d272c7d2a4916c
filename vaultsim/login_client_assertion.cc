#include "vaultsim/login_client_assertion.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/base64url.h"
#include "core/error_codes.h"

namespace geoekm::vaultsim {
namespace {

// ESTS tolerates this much clock skew on a client assertion's nbf/exp.
constexpr std::int64_t kAssertionSkewSeconds = 300;

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

struct Registered {
  std::string x5t;       // b64url SHA-1 of DER
  std::string x5t_s256;  // b64url SHA-256 of DER
  std::shared_ptr<EVP_PKEY> key;
};

EntraError Malformed(const std::string& why) {
  return {400, "invalid_request", 50027, "JWT token is invalid or malformed. " + why};
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

bool VerifySignature(EVP_PKEY* key, bool pss, const std::string& signed_part, const Bytes& signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1) return false;
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

class Certificates final : public RegisteredCertificates {
 public:
  explicit Certificates(std::vector<Registered> certs) : certs_(std::move(certs)) {}

  std::optional<EntraError> Validate(const std::string& assertion, const std::string& client_id,
                                     const std::vector<std::string>& accepted_audiences,
                                     std::int64_t now) const override {
    const auto dot1 = assertion.find('.');
    const auto dot2 = dot1 == std::string::npos ? dot1 : assertion.find('.', dot1 + 1);
    if (dot2 == std::string::npos || assertion.find('.', dot2 + 1) != std::string::npos) {
      return Malformed("The assertion is not a JWS compact serialization.");
    }
    auto header_bytes = Base64UrlDecode(std::string_view(assertion).substr(0, dot1));
    auto payload_bytes = Base64UrlDecode(std::string_view(assertion).substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = Base64UrlDecode(std::string_view(assertion).substr(dot2 + 1));
    if (!header_bytes.ok() || !payload_bytes.ok() || !signature.ok()) return Malformed("Bad base64url.");
    Poco::JSON::Object::Ptr header, payload;
    try {
      Poco::JSON::Parser p1, p2;
      header = p1.parse(std::string(header_bytes->begin(), header_bytes->end())).extract<Poco::JSON::Object::Ptr>();
      payload =
          p2.parse(std::string(payload_bytes->begin(), payload_bytes->end())).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
      return Malformed("Header or payload is not a JSON object.");
    }
    const std::string alg = header->optValue<std::string>("alg", "");
    if (alg != "RS256" && alg != "PS256") {
      return AssertionSignatureInvalid("[Reason - The algorithm '" + alg + "' is not supported; use RS256 or PS256.]");
    }
    const std::string x5t = header->optValue<std::string>("x5t", "");
    const std::string x5t_s256 = header->optValue<std::string>("x5t#S256", "");
    if (x5t.empty() && x5t_s256.empty()) {
      return AssertionSignatureInvalid("[Reason - The assertion header names no key: x5t or x5t#S256 is required.]");
    }
    const Registered* cert = nullptr;
    for (const auto& c : certs_) {
      if ((x5t.empty() || x5t == c.x5t) && (x5t_s256.empty() || x5t_s256 == c.x5t_s256)) {
        cert = &c;
        break;
      }
    }
    if (!cert) {
      return AssertionSignatureInvalid("[Reason - The key was not found., Thumbprint of key used by client: '" +
                                       (x5t_s256.empty() ? x5t : x5t_s256) + "']");
    }
    if (!VerifySignature(cert->key.get(), alg == "PS256", assertion.substr(0, dot2), *signature)) {
      return AssertionSignatureInvalid(
          "[Reason - The provided signature value did not match the expected signature value.]");
    }
    // Claims, checked only once the signature is known good.
    const std::string iss = Poco::toLower(payload->optValue<std::string>("iss", ""));
    const std::string sub = Poco::toLower(payload->optValue<std::string>("sub", ""));
    if (iss != Poco::toLower(client_id) || sub != iss) {
      return AssertionInvalid(700021,
                              "Client assertion application identifier doesn't match 'client_id' parameter. Review "
                              "the documentation at https://docs.microsoft.com/azure/active-directory/develop/"
                              "active-directory-certificate-credentials .");
    }
    std::string aud;
    try {
      if (payload->has("aud")) aud = payload->get("aud").convert<std::string>();
    } catch (const Poco::Exception&) {
      aud.clear();
    }
    bool aud_ok = false;
    for (const auto& a : accepted_audiences) aud_ok = aud_ok || TrimSlash(aud) == TrimSlash(a);
    if (!aud_ok) return AssertionInvalid(50012, "Client assertion audience claim does not match Realm issuer.");
    std::int64_t exp = 0, nbf = 0;
    try {
      if (!payload->has("exp")) return Malformed("The assertion has no 'exp' claim.");
      exp = payload->getValue<std::int64_t>("exp");
      nbf = payload->has("nbf") ? payload->getValue<std::int64_t>("nbf") : 0;
    } catch (const Poco::Exception&) {
      return Malformed("'exp' and 'nbf' must be numbers.");
    }
    if (now >= exp + kAssertionSkewSeconds || now + kAssertionSkewSeconds < nbf) {
      return AssertionInvalid(700024, "Client assertion is not within its valid time range. Current time: " +
                                          std::to_string(now) + ", assertion valid from " + std::to_string(nbf) +
                                          ", expiry time of assertion " + std::to_string(exp) + ".");
    }
    return std::nullopt;
  }

 private:
  std::vector<Registered> certs_;
};

std::string Digest(X509* cert, const EVP_MD* md) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, md, buf, &len);
  return Base64UrlEncode(buf, len);
}

}  // namespace

Result<std::shared_ptr<const RegisteredCertificates>> RegisteredCertificates::Load(
    const std::vector<std::string>& pem_files) {
  std::vector<Registered> certs;
  for (const auto& file : pem_files) {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(file.c_str(), "r"));
    if (!bio) {
      return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "cannot read client certificate " + file);
    }
    std::unique_ptr<X509, X509Deleter> x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x509) {
      return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "no PEM certificate in " + file);
    }
    EVP_PKEY* key = X509_get_pubkey(x509.get());
    if (!key || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
      EVP_PKEY_free(key);
      return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "client certificate " + file + " is not RSA");
    }
    Registered r;
    r.x5t = Digest(x509.get(), EVP_sha1());
    r.x5t_s256 = Digest(x509.get(), EVP_sha256());
    r.key = std::shared_ptr<EVP_PKEY>(key, EvpPkeyDeleter());
    certs.push_back(std::move(r));
  }
  return std::shared_ptr<const RegisteredCertificates>(new Certificates(std::move(certs)));
}

}  // namespace geoekm::vaultsim
