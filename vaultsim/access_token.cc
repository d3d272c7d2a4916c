#include "vaultsim/access_token.h"

#include <Poco/Crypto/RSAKey.h>
#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/SharedPtr.h>
#include <Poco/Timestamp.h>

#include <optional>
#include <sstream>
#include <utility>

#include "core/error_codes.h"
#include "core/random_uuid.h"
#include "vaultsim/file_text.h"

namespace geoekm::vaultsim {
namespace {

// Clock skew a verifier tolerates on nbf and exp (Entra ID allows 5 minutes;
// a simulator used for expiry tests wants far less).
constexpr std::int64_t kSkewSeconds = 5;

Status TokenError(std::string message) {
  return Status(codes::kTokenRejected, ErrorClass::kAuth, std::move(message));
}

Poco::Timestamp FromUnix(std::int64_t seconds) { return Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(seconds)); }

std::int64_t ToUnix(const Poco::Timestamp& ts) { return static_cast<std::int64_t>(ts.epochTime()); }

Result<std::string> ReadFile(const std::string& path) {
  std::optional<std::string> text = ReadFileText(path);
  if (!text) return Status(codes::kPemPrivateKey, ErrorClass::kInvalidInput, "cannot open " + path);
  return std::move(*text);
}

class PocoIssuer final : public AccessTokenIssuer {
 public:
  explicit PocoIssuer(Poco::SharedPtr<Poco::Crypto::RSAKey> key) : key_(std::move(key)) {}

  Result<std::string> Issue(const AccessTokenClaims& claims) const override {
    try {
      Poco::JWT::Token token;
      token.setType("JWT");
      token.setIssuer(claims.issuer);
      token.setAudience(claims.audience);
      token.setIssuedAt(FromUnix(claims.issued_at));
      token.setNotBefore(FromUnix(claims.not_before));
      token.setExpiration(FromUnix(claims.expires));
      token.setId(RandomUuid());
      token.payload().set("tid", claims.tenant);
      token.payload().set("appid", claims.app_id);
      // A service principal's object id; vaultsim has no directory, so the
      // app id doubles as the object id (stable, unique per app).
      token.payload().set("oid", claims.app_id);
      token.payload().set("sub", claims.app_id);
      token.payload().set("idtyp", std::string("app"));
      token.payload().set("ver", std::string("1.0"));
      Poco::JWT::Signer signer(key_);
      return signer.sign(token, Poco::JWT::Signer::ALGO_RS256);
    } catch (const Poco::Exception& e) {
      return Status(codes::kJwtCreateSignature, ErrorClass::kInternal, "signing access token: " + e.displayText());
    }
  }

 private:
  Poco::SharedPtr<Poco::Crypto::RSAKey> key_;
};

class PocoVerifier final : public AccessTokenVerifier {
 public:
  explicit PocoVerifier(Poco::SharedPtr<Poco::Crypto::RSAKey> key) : key_(std::move(key)) {}

  Result<AccessTokenClaims> Verify(std::string_view jwt, std::int64_t now) const override {
    Poco::JWT::Token token;
    try {
      // Only RS256 is allowed: Signer::verify rejects a token whose header
      // names any other algorithm ("none", HS256 keyed with the public key).
      Poco::JWT::Signer signer(key_);
      signer.setAlgorithms({Poco::JWT::Signer::ALGO_RS256});
      if (!signer.tryVerify(std::string(jwt), token)) return TokenError("access token signature is invalid");
    } catch (const Poco::Exception& e) {
      return TokenError("access token is malformed: " + e.displayText());
    }
    if (token.getAlgorithm() != Poco::JWT::Signer::ALGO_RS256) return TokenError("access token alg must be RS256");
    const Poco::JSON::Object& p = token.payload();
    if (!p.has("exp") || !p.has("nbf") || !p.has("iat")) return TokenError("access token lacks exp/nbf/iat");
    AccessTokenClaims c;
    try {
      c.issuer = token.getIssuer();
      const auto aud = token.getAudience();
      if (aud.size() != 1) return TokenError("access token must have exactly one audience");
      c.audience = aud.front();
      c.tenant = p.optValue<std::string>("tid", "");
      c.app_id = p.optValue<std::string>("appid", "");
      c.issued_at = ToUnix(token.getIssuedAt());
      c.not_before = ToUnix(token.getNotBefore());
      c.expires = ToUnix(token.getExpiration());
    } catch (const Poco::Exception& e) {
      return TokenError("access token claims are malformed: " + e.displayText());
    }
    if (now >= c.expires + kSkewSeconds) {
      return TokenError("access token expired at " + std::to_string(c.expires) + " (now " + std::to_string(now) + ")");
    }
    if (now + kSkewSeconds < c.not_before) {
      return TokenError("access token not valid before " + std::to_string(c.not_before) + " (now " +
                        std::to_string(now) + ")");
    }
    return c;
  }

 private:
  Poco::SharedPtr<Poco::Crypto::RSAKey> key_;
};

}  // namespace

Result<std::unique_ptr<AccessTokenIssuer>> AccessTokenIssuer::FromKeyFile(const std::string& private_key_pem_file) {
  // Read here, not by Poco: Poco 1.11 leaks an EVP_PKEY when it cannot
  // open a key file (LeakSanitizer, AccessTokenTest.MissingKeyFileIsAnError).
  auto pem = ReadFile(private_key_pem_file);
  if (!pem.ok()) return Status(pem.status()).Prefix("loading signing key: ");
  try {
    std::istringstream in(*pem);
    Poco::SharedPtr<Poco::Crypto::RSAKey> key(new Poco::Crypto::RSAKey(nullptr, &in, ""));
    return std::unique_ptr<AccessTokenIssuer>(new PocoIssuer(std::move(key)));
  } catch (const Poco::Exception& e) {
    return Status(codes::kPemPrivateKey, ErrorClass::kInvalidInput,
                  "loading signing key " + private_key_pem_file + ": " + e.displayText());
  }
}

Result<std::unique_ptr<AccessTokenVerifier>> AccessTokenVerifier::FromFile(const std::string& pem_file) {
  auto pem = ReadFile(pem_file);
  if (!pem.ok()) return pem.status();
  try {
    Poco::SharedPtr<Poco::Crypto::RSAKey> key;
    if (pem->find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
      std::istringstream in(*pem);
      Poco::Crypto::X509Certificate cert(in);
      key = new Poco::Crypto::RSAKey(cert);
    } else {
      std::istringstream in(*pem);
      key = new Poco::Crypto::RSAKey(&in);
    }
    return std::unique_ptr<AccessTokenVerifier>(new PocoVerifier(std::move(key)));
  } catch (const Poco::Exception& e) {
    return Status(codes::kPemPrivateKey, ErrorClass::kInvalidInput,
                  "loading token verification key " + pem_file + ": " + e.displayText());
  }
}

}  // namespace geoekm::vaultsim
