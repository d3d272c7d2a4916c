// ManagedIdentityEndpoint: the managed-identity token endpoints a workload
// on Azure reaches over plain HTTP (docs/ARCHITECTURE.md §Managed identity):
//   IMDS         GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=..
//                [&client_id=|object_id=|msi_res_id=]   header "Metadata: true"
//   App Service  GET /msi/token?api-version=2019-08-01&resource=..
//                [&client_id=|principal_id=|object_id=|mi_res_id=]  header "X-IDENTITY-HEADER: <secret>"
// Numbers in the answers are strings, like the real endpoints. No sockets
// here: the HTTP server hands in the decoded request.
//
// Thread safety: immutable; Handle may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "vaultsim/login_config.h"
#include "vaultsim/login_reply.h"
#include "vaultsim/login_token_minter.h"

namespace geoekm::vaultsim {

struct ManagedIdentityRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;   // url-decoded
  std::optional<std::string> metadata;        // "Metadata" header
  std::optional<std::string> identity_header; // "X-IDENTITY-HEADER" header
};

class ManagedIdentityEndpoint {
 public:
  // config and minter must outlive the endpoint.
  ManagedIdentityEndpoint(const LoginConfig& config, const LoginTokenMinter& minter)
      : config_(config), minter_(minter) {}

  static constexpr const char* kImdsPath = "/metadata/identity/oauth2/token";
  static constexpr const char* kAppServicePath = "/msi/token";

  LoginReply Handle(const ManagedIdentityRequest& request, std::int64_t now) const;

 private:
  LoginReply Imds(const ManagedIdentityRequest& request, std::int64_t now) const;
  LoginReply AppService(const ManagedIdentityRequest& request, std::int64_t now) const;

  const LoginConfig& config_;
  const LoginTokenMinter& minter_;
};

}  // namespace geoekm::vaultsim
