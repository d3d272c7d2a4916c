// ChallengeAuthenticator: the VaultAuthenticator over one TokenCache. It
// remembers, per vault host, the (tenant, resource) of the last accepted
// challenge; a token is only ever returned for a host whose challenge passed
// the domain check (docs/ARCHITECTURE.md, invariant 6).
//
// Tenant: taken from the challenge, as the Azure SDKs do, even when the
// configuration names another tenant; credentials still only go to the
// configured authority, so a forged challenge can at most pick the tenant.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "vault_router/auth/token_cache.h"
#include "vault_router/auth/vault_authenticator.h"

namespace geoekm {

class ChallengeAuthenticator : public VaultAuthenticator {
 public:
  explicit ChallengeAuthenticator(std::shared_ptr<TokenCache> cache);

  Result<SecureString> CachedOrFreshToken(const std::string& vault_host, Deadline deadline) override;
  Result<SecureString> OnChallenge(const std::string& vault_host, std::string_view www_authenticate,
                                   std::string_view rejected_token, Deadline deadline) override;
  AuthStats stats() const override;

 private:
  std::shared_ptr<TokenCache> cache_;
  mutable std::mutex mu_;
  std::map<std::string, TokenScope> scopes_;  // by vault host, lower case
  std::uint64_t challenges_accepted_ = 0;
  std::uint64_t challenges_refused_ = 0;
};

}  // namespace geoekm
