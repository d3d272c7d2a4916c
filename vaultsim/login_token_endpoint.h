// TokenEndpoint: the Entra ID client_credentials token endpoints
//   v2  POST /{tenant}/oauth2/v2.0/token   (scope=<resource>/.default)
//   v1  POST /{tenant}/oauth2/token        (resource=<resource>)
// authenticating the client by client_secret (form body or HTTP Basic) or by
// client_assertion (see login_client_assertion.h), answering success bodies
// and AADSTS errors exactly as docs/ARCHITECTURE.md §Entra tokens describes. No sockets
// here: the HTTP server hands in the decoded request.
//
// Thread safety: immutable after creation; Handle may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/result.h"
#include "vaultsim/login_client_assertion.h"
#include "vaultsim/login_config.h"
#include "vaultsim/login_reply.h"
#include "vaultsim/login_token_minter.h"

namespace geoekm::vaultsim {

struct TokenRequest {
  std::string tenant;  // the path segment as sent
  bool v1 = false;     // /oauth2/token rather than /oauth2/v2.0/token
  std::map<std::string, std::string> form;  // url-decoded body parameters
  std::string authorization;      // Authorization header (HTTP Basic client auth), may be empty
  std::string client_request_id;  // client-request-id header, may be empty
  std::string base_url;           // https://<host>:<port> of this service
};

class TokenEndpoint {
 public:
  // Loads the registered certificates of every app. config and minter must
  // outlive the endpoint.
  static Result<std::unique_ptr<TokenEndpoint>> Create(const LoginConfig& config, const LoginTokenMinter& minter);

  LoginReply Handle(const TokenRequest& request, std::int64_t now) const;

 private:
  TokenEndpoint(const LoginConfig& config, const LoginTokenMinter& minter) : config_(config), minter_(minter) {}

  const LoginConfig& config_;
  const LoginTokenMinter& minter_;
  std::map<std::string, std::shared_ptr<const RegisteredCertificates>> certificates_;  // by client id
};

// Headers every login-service JSON answer carries (no caching of tokens).
void AddTokenResponseHeaders(LoginReply* reply);

}  // namespace geoekm::vaultsim
