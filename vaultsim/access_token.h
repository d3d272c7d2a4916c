// Access tokens of vaultsim's login service: RS256 JWTs, the shape Entra ID
// issues (iss https://sts.windows.net/<tid>/, aud = resource, tid, appid,
// oid, iat/nbf/exp). The login service issues them; every vault verifies
// them against the login service's signing certificate.
//
// Thread safety: issuer and verifier are immutable after creation and safe
// for concurrent use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace geoekm::vaultsim {

struct AccessTokenClaims {
  std::string tenant;    // tid
  std::string audience;  // aud (resource without "/.default")
  std::string app_id;    // appid (client id)
  std::string issuer;    // iss
  std::int64_t issued_at = 0;
  std::int64_t not_before = 0;
  std::int64_t expires = 0;
};

class AccessTokenIssuer {
 public:
  // PEM private key (RSA) used to sign.
  static Result<std::unique_ptr<AccessTokenIssuer>> FromKeyFile(const std::string& private_key_pem_file);
  virtual ~AccessTokenIssuer() = default;
  virtual Result<std::string> Issue(const AccessTokenClaims& claims) const = 0;
};

class AccessTokenVerifier {
 public:
  // PEM certificate or public key of the login service.
  static Result<std::unique_ptr<AccessTokenVerifier>> FromFile(const std::string& pem_file);
  virtual ~AccessTokenVerifier() = default;
  // Verifies signature and time window (now in unix seconds, small skew);
  // the caller checks audience and tenant. Expired → an error whose message
  // says so (the vault answers 401).
  virtual Result<AccessTokenClaims> Verify(std::string_view jwt, std::int64_t now) const = 0;
};

}  // namespace geoekm::vaultsim
