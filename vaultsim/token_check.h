// TokenCheck: the vault's bearer-token gate. Verifies the RS256 access token
// with the login service's signing certificate, then audience (resource,
// also with a trailing "/") and tenant, and builds the service's 401 with
// the WWW-Authenticate challenge when anything is wrong (README.md lists the
// messages).
//
// Thread safety: immutable after creation; Check may be called concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "vaultsim/access_token.h"
#include "vaultsim/api_message.h"
#include "vaultsim/vault_config.h"

namespace geoekm::vaultsim {

struct TokenCheckOutcome {
  std::optional<AccessTokenClaims> claims;  // set when the token is good
  ApiResponse rejection;                    // the 401 otherwise
};

class TokenCheck {
 public:
  static Result<std::unique_ptr<TokenCheck>> Create(const VaultConfig& config);

  TokenCheckOutcome Check(const std::string& authorization_header) const;

  // Bearer authorization="<authority>/<tenant>", resource="<resource>"
  std::string Challenge() const;

 private:
  TokenCheck(const VaultConfig& config, std::unique_ptr<AccessTokenVerifier> verifier)
      : config_(config), verifier_(std::move(verifier)) {}
  ApiResponse Reject(const std::string& message) const;

  const VaultConfig& config_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
};

}  // namespace geoekm::vaultsim
