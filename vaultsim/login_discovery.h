// LoginDiscovery: the metadata documents an Entra ID authority serves and
// MSAL (and so @azure/identity) reads before asking for a token:
//   GET /{tenant}/v2.0/.well-known/openid-configuration   (v2 OIDC metadata)
//   GET /{tenant}/.well-known/openid-configuration        (v1)
//   GET /common/discovery/instance?...                    (instance discovery)
//   GET /{tenant}/discovery/v2.0/keys, /{tenant}/discovery/keys, /common/discovery/keys (JWKS)
// Every URL in them points at this service (base_url).
//
// Thread safety: immutable after creation; Handle may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "vaultsim/login_config.h"
#include "vaultsim/login_reply.h"

namespace geoekm::vaultsim {

class LoginDiscovery {
 public:
  // Reads the token-signing certificate for the JWKS. config must outlive this.
  static Result<std::unique_ptr<LoginDiscovery>> Create(const LoginConfig& config);

  // nullopt = not a discovery path (the caller answers 404).
  std::optional<LoginReply> Handle(const std::string& path, const std::string& base_url, std::int64_t now) const;

 private:
  LoginDiscovery(const LoginConfig& config, std::string jwks) : config_(config), jwks_(std::move(jwks)) {}

  const LoginConfig& config_;
  std::string jwks_;  // {"keys":[...]} of the signing certificate
};

}  // namespace geoekm::vaultsim
