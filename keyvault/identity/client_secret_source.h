// ClientSecretSource: client_credentials grant with a client secret against
// the configured authority (docs/ARCHITECTURE.md §Entra tokens). The secret is inline
// (from the credential string) or read from its file at every fetch, so a
// rotated secret file takes effect without a restart.
//
// Thread safety: Fetch() may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "keyvault/identity/credential_options.h"
#include "keyvault/identity/token_endpoint.h"
#include "keyvault/identity/token_source.h"

namespace geoekm {

class ClientSecretSource : public TokenSource {
 public:
  // `authority` sends requests to endpoint.host():port() over HTTPS.
  ClientSecretSource(TokenEndpoint endpoint, std::string client_id, SecureString inline_secret,
                     std::string secret_file, HttpExchange authority);

  Result<AccessToken> Fetch(const TokenScope& scope, Deadline deadline) override;
  std::string identity() const override { return endpoint_.authority() + "|" + client_id_; }

 private:
  Result<SecureString> Secret() const;

  TokenEndpoint endpoint_;
  std::string client_id_;
  SecureString inline_secret_;
  std::string secret_file_;
  HttpExchange authority_;
};

// Reads a secret file (client secret, PFX password): the whole content with
// trailing CR/LF/space removed. Fails with codes::kTokenBadCredentials (kAuth).
Result<SecureString> ReadSecretFile(const std::string& path, std::string_view what);

// Sends a token request built by the caller to the authority and parses the
// answer; shared by the secret and certificate sources. `secrets` are
// redacted from error messages.
Result<AccessToken> RequestToken(const HttpExchange& authority, const TokenEndpoint& endpoint,
                                 const std::string& tenant, const std::string& form_body, Deadline deadline,
                                 const std::vector<std::string_view>& secrets);

}  // namespace geoekm
