// AdminApi: the vault's control port for tests and drills (README.md,
// "Admin API"): faults, permissions, key attributes, firewall, stats.
// Requests must carry "Authorization: Bearer <admin token>".
//
// Thread safety: Handle may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "vaultsim/vault_pipeline.h"

namespace geoekm::vaultsim {

class AdminApi {
 public:
  // connections_accepted: TCP connections the vault port accepted so far.
  AdminApi(VaultParts parts, std::function<std::int64_t()> connections_accepted)
      : p_(parts), connections_accepted_(std::move(connections_accepted)) {}

  ApiResponse Handle(const ApiRequest& request);

 private:
  ApiResponse Permissions(const std::string& body);
  ApiResponse Firewall(const std::string& body);
  ApiResponse Stats();

  VaultParts p_;
  std::function<std::int64_t()> connections_accepted_;
};

}  // namespace geoekm::vaultsim
