// ChallengeAuthenticator: the VaultAuthenticator over one TokenCache. It
// remembers, per vault host, the (tenant, resource) of the last accepted
// challenge; a token is only ever returned for a host whose challenge passed
// the domain check (docs/ARCHITECTURE.md, invariant 6).
//
// Tenant: the configured one; a challenge naming another tenant is refused
// unless the configuration allows it (keyvault/identity/tenant_policy.h), so
// a forged challenge cannot choose where the credential is sent.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "keyvault/identity/tenant_policy.h"
#include "keyvault/identity/token_cache.h"
#include "keyvault/identity/vault_authenticator.h"

namespace geoekm {

class ChallengeAuthenticator : public VaultAuthenticator {
 public:
  ChallengeAuthenticator(std::shared_ptr<TokenCache> cache, TenantPolicy tenants);

  bool Challenged(const std::string& vault_host) const override;
  Result<SecureString> CachedOrFreshToken(const std::string& vault_host, Deadline deadline) override;
  Result<SecureString> OnChallenge(const std::string& vault_host, std::string_view www_authenticate,
                                   std::string_view rejected_token, Deadline deadline) override;
  AuthStats stats() const override;

 private:
  std::shared_ptr<TokenCache> cache_;
  const TenantPolicy tenants_;
  mutable std::mutex mu_;
  std::map<std::string, TokenScope> scopes_;  // by vault host, lower case
  std::uint64_t challenges_accepted_ = 0;
  std::uint64_t challenges_refused_ = 0;
};

}  // namespace geoekm
