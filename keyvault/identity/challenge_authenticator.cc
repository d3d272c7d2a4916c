#include "keyvault/identity/challenge_authenticator.h"

#include <algorithm>
#include <cctype>

#include "core/error_codes.h"
#include "keyvault/identity/bearer_challenge.h"

namespace geoekm {
namespace {

std::string HostKey(std::string_view host) {
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

ChallengeAuthenticator::ChallengeAuthenticator(std::shared_ptr<TokenCache> cache, TenantPolicy tenants)
    : cache_(std::move(cache)), tenants_(std::move(tenants)) {}

bool ChallengeAuthenticator::Challenged(const std::string& vault_host) const {
  std::lock_guard<std::mutex> lock(mu_);
  return scopes_.count(HostKey(vault_host)) != 0;
}

Result<SecureString> ChallengeAuthenticator::CachedOrFreshToken(const std::string& vault_host, Deadline deadline) {
  TokenScope scope;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = scopes_.find(HostKey(vault_host));
    if (it == scopes_.end()) {
      return Status(codes::kHttpUnauthorized, ErrorClass::kAuth,
                    "no challenge from " + vault_host + " yet; send the request without a token");
    }
    scope = it->second;
  }
  return cache_->Get(scope, deadline);
}

Result<SecureString> ChallengeAuthenticator::OnChallenge(const std::string& vault_host,
                                                         std::string_view www_authenticate,
                                                         std::string_view rejected_token, Deadline deadline) {
  Result<BearerChallenge> challenge = ParseBearerChallenge(www_authenticate);
  if (!challenge.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++challenges_refused_;
    Status s = challenge.status();
    s.Prefix(vault_host + ": ");
    return s;
  }
  if (Status domain = VerifyChallengeDomain(vault_host, challenge.value()); !domain.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++challenges_refused_;
    return domain;
  }
  Result<std::string> tenant = tenants_.Resolve(challenge->tenant);
  if (!tenant.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++challenges_refused_;
    Status s = tenant.status();
    s.Prefix(vault_host + ": ");
    return s;
  }
  TokenScope scope{std::move(tenant).value(), challenge->resource};
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++challenges_accepted_;
    scopes_[HostKey(vault_host)] = scope;
  }
  if (!rejected_token.empty()) cache_->Invalidate(scope, rejected_token);
  return cache_->Get(scope, deadline);
}

AuthStats ChallengeAuthenticator::stats() const {
  TokenCacheStats cache = cache_->stats();
  std::lock_guard<std::mutex> lock(mu_);
  AuthStats s;
  s.token_fetches = cache.fetches;
  s.token_failures = cache.failures;
  s.challenges_accepted = challenges_accepted_;
  s.challenges_refused = challenges_refused_;
  return s;
}

}  // namespace geoekm
