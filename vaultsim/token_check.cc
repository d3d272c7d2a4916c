#include "vaultsim/token_check.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <ctime>

#include "core/base64url.h"

namespace geoekm::vaultsim {
namespace {

// exp of a JWT whose signature failed verification, read without trusting
// it, only to choose between the "expired" and the generic 401 message.
std::optional<std::int64_t> UnverifiedExpiry(const std::string& jwt) {
  std::size_t a = jwt.find('.');
  std::size_t b = a == std::string::npos ? a : jwt.find('.', a + 1);
  if (b == std::string::npos) return std::nullopt;
  Result<Bytes> payload = Base64UrlDecode(std::string_view(jwt).substr(a + 1, b - a - 1));
  if (!payload.ok()) return std::nullopt;
  try {
    Poco::JSON::Parser parser;
    Poco::JSON::Object::Ptr o =
        parser.parse(std::string(payload->begin(), payload->end())).extract<Poco::JSON::Object::Ptr>();
    if (o && o->has("exp")) return o->getValue<std::int64_t>("exp");
  } catch (...) {
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<TokenCheck>> TokenCheck::Create(const VaultConfig& config) {
  Result<std::unique_ptr<AccessTokenVerifier>> verifier = AccessTokenVerifier::FromFile(config.token_signing_cert);
  if (!verifier.ok()) return verifier.status();
  return std::unique_ptr<TokenCheck>(new TokenCheck(config, std::move(verifier).value()));
}

std::string TokenCheck::Challenge() const {
  return "Bearer authorization=\"" + config_.authority + "/" + config_.tenant + "\", resource=\"" +
         config_.resource + "\"";
}

ApiResponse TokenCheck::Reject(const std::string& message) const {
  ApiResponse r = ErrorResponse(401, "Unauthorized", message);
  r.headers.emplace_back("WWW-Authenticate", Challenge());
  return r;
}

TokenCheckOutcome TokenCheck::Check(const std::string& header) const {
  static const std::string kMissing = "AKV10000: Request is missing a Bearer or PoP token.";
  TokenCheckOutcome out;
  if (header.size() <= 7 || Poco::icompare(header.substr(0, 7), std::string("Bearer ")) != 0) {
    out.rejection = Reject(kMissing);
    return out;
  }
  std::string jwt = Poco::trim(header.substr(7));
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  Result<AccessTokenClaims> claims = verifier_->Verify(jwt, now);
  if (!claims.ok()) {
    std::optional<std::int64_t> exp = UnverifiedExpiry(jwt);
    out.rejection = Reject(exp && *exp <= now ? "AKV10013: Token has expired." : kMissing);
    return out;
  }
  if (claims->audience != config_.resource && claims->audience != config_.resource + "/") {
    out.rejection = Reject("AKV10022: Invalid audience. Expected " + config_.resource + ", found: " +
                           claims->audience + ".");
    return out;
  }
  if (claims->tenant != config_.tenant) {
    out.rejection = Reject("AKV10032: Invalid issuer. Expected one of https://sts.windows.net/" + config_.tenant +
                           "/, found https://sts.windows.net/" + claims->tenant + "/.");
    return out;
  }
  out.claims = std::move(claims).value();
  return out;
}

}  // namespace geoekm::vaultsim
