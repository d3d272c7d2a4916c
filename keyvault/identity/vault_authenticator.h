// VaultAuthenticator: bearer tokens for Key Vault requests, obtained through
// challenge-based authentication (docs/ARCHITECTURE.md §Challenge auth, §Entra tokens, §Managed identity).
//
// Flow, as the Azure SDKs do it: the client sends its first request to a
// vault host without a token; the vault answers 401 with WWW-Authenticate;
// OnChallenge() parses it tolerantly, requires the vault host to equal or end
// with "." + the resource host (else error 5004 and NO token is fetched),
// uses the configured tenant (another one only when the configuration allows
// it), and fetches a token from the CONFIGURED authority only. Later requests to that host call
// CachedOrFreshToken().
//
// One token cache per (authority, tenant, client, scope), shared by all
// threads and all vaults of the set; tokens are refreshed ahead of expiry
// with at most one refresh in flight per cache entry (no thundering herd).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "keyvault/identity/credential_options.h"
#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm {

struct AuthStats {
  std::uint64_t token_fetches = 0;    // successful requests to the authority / MI endpoint
  std::uint64_t token_failures = 0;
  std::uint64_t challenges_accepted = 0;
  std::uint64_t challenges_refused = 0;  // malformed, domain or tenant check failures
};

class VaultAuthenticator {
 public:
  static Result<std::shared_ptr<VaultAuthenticator>> Create(const CredentialOptions& auth);
  virtual ~VaultAuthenticator() = default;

  // True once a challenge from vault_host was accepted (it stays true).
  // Until then the client sends a request without a token (and without its
  // body) to get the challenge.
  virtual bool Challenged(const std::string& vault_host) const = 0;

  // A valid token for a vault host whose challenge was accepted before.
  // Fails with ErrorClass::kAuth when the host has not been challenged yet.
  virtual Result<SecureString> CachedOrFreshToken(const std::string& vault_host, Deadline deadline) = 0;

  // Handles the WWW-Authenticate header of a 401 from vault_host. When
  // `rejected_token` equals the cached token it is dropped and a fresh one
  // fetched (401 with a cached token: refresh once, retry once).
  virtual Result<SecureString> OnChallenge(const std::string& vault_host, std::string_view www_authenticate,
                                           std::string_view rejected_token, Deadline deadline) = 0;

  virtual AuthStats stats() const = 0;
};

}  // namespace geoekm
