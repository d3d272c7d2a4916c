// ManagedIdentitySource: tokens from the host's managed identity
// (docs/ARCHITECTURE.md §Managed identity).
//
// Endpoint, first match wins:
//   1. CredentialOptions.managed_identity_endpoint (IMDS protocol; a bare
//      "http://host:port" gets the IMDS path /metadata/identity/oauth2/token)
//   2. App Service: IDENTITY_ENDPOINT + IDENTITY_HEADER set
//      GET {endpoint}?api-version=2019-08-01&resource=R[&client_id=]  X-IDENTITY-HEADER: {header}
//   3. IMDS: GET http://169.254.169.254/metadata/identity/oauth2/token
//      ?api-version=2018-02-01&resource=R[&client_id=]  Metadata: true
// IMDS answers 404, 410, 429 and 5xx are retried with short backoff within
// the deadline (the docs' schedule is far longer than a wrap may wait).
//
// Thread safety: Fetch() may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "keyvault/identity/credential_options.h"
#include "core/result.h"
#include "keyvault/identity/token_source.h"

namespace geoekm {

struct ManagedIdentityEndpoint {
  enum class Kind { kImds, kAppService };
  Kind kind = Kind::kImds;
  std::string scheme = "http";
  std::string host = "169.254.169.254";
  int port = 80;
  std::string path = "/metadata/identity/oauth2/token";
  SecureString identity_header;  // App Service X-IDENTITY-HEADER value

  // Resolves the endpoint from the config and the environment (`getenv`
  // injectable for tests). Fails with codes::kConfigInvalid on a bad URL.
  static Result<ManagedIdentityEndpoint> Resolve(
      const CredentialOptions& auth, const std::function<const char*(const char*)>& getenv = nullptr);
};

class ManagedIdentitySource : public TokenSource {
 public:
  ManagedIdentitySource(ManagedIdentityEndpoint endpoint, std::string client_id, HttpExchange exchange);

  Result<AccessToken> Fetch(const TokenScope& scope, Deadline deadline) override;
  std::string identity() const override;

 private:
  HttpRequest BuildRequest(const TokenScope& scope) const;

  ManagedIdentityEndpoint endpoint_;
  std::string client_id_;  // user-assigned identity; empty = system-assigned
  HttpExchange exchange_;
};

}  // namespace geoekm
