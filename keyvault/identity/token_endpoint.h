// TokenEndpoint: the CONFIGURED Entra ID authority (CredentialOptions.authority_host)
// and the token URLs under it. The authority named in a vault's challenge is
// never used to send credentials; only its tenant is (docs/ARCHITECTURE.md §Challenge auth).
//
// v2: POST {authority}/{tenant}/oauth2/v2.0/token   (scope = resource/.default)
// v1: POST {authority}/{tenant}/oauth2/token        (resource = resource)
//
// Thread safety: an immutable value.
#pragma once

#include <string>

#include "keyvault/identity/credential_options.h"
#include "core/result.h"

namespace geoekm {

class TokenEndpoint {
 public:
  // Fails with codes::kConfigInvalid (kInvalidInput) unless authority_host is
  // an https URL.
  static Result<TokenEndpoint> FromConfig(const CredentialOptions& auth);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  TokenEndpointVersion version() const { return version_; }
  // Path + query for the request line, e.g. "/tenant/oauth2/v2.0/token".
  std::string PathFor(const std::string& tenant) const;
  // Absolute URL (the `aud` of a client assertion).
  std::string UrlFor(const std::string& tenant) const;
  // For messages and the cache key: "https://host[:port][/base]".
  const std::string& authority() const { return authority_; }

 private:
  std::string host_;
  int port_ = 443;
  std::string base_path_;  // "" or "/prefix" without trailing slash
  std::string authority_;
  TokenEndpointVersion version_ = TokenEndpointVersion::kV2;
};

}  // namespace geoekm
