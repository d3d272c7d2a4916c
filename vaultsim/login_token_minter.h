// LoginTokenMinter: issues the access tokens of the login service and the
// managed-identity endpoints (one lifetime and clock policy for both).
//
// Thread safety: immutable after creation; Mint may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "vaultsim/access_token.h"

namespace geoekm::vaultsim {

struct MintedToken {
  std::string jwt;
  std::int64_t issued_at = 0;
  std::int64_t not_before = 0;
  std::int64_t expires = 0;
  std::int64_t lifetime = 0;  // the configured lifetime (expires_in)
};

class LoginTokenMinter {
 public:
  // clock_offset_seconds shifts iat/nbf/exp (negative + large = born expired).
  LoginTokenMinter(std::unique_ptr<AccessTokenIssuer> issuer, int lifetime_seconds, int clock_offset_seconds)
      : issuer_(std::move(issuer)), lifetime_(lifetime_seconds), offset_(clock_offset_seconds) {}

  // audience = resource without "/.default"; now = unix seconds.
  Result<MintedToken> Mint(const std::string& tenant, const std::string& app_id, const std::string& audience,
                           std::int64_t now) const;

 private:
  std::unique_ptr<AccessTokenIssuer> issuer_;
  int lifetime_;
  int offset_;
};

// "https://sts.windows.net/<tenant>/", the issuer of v1.0 tokens that Key
// Vault accepts.
std::string TokenIssuerFor(const std::string& tenant);

}  // namespace geoekm::vaultsim
