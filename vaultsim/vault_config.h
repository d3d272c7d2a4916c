// VaultConfig: the JSON configuration of one `vaultsim vault` process (one
// vault host in one region). The file format is documented in README.md.
//
// Thread safety: a plain value.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/result.h"

namespace geoekm::vaultsim {

struct ThrottlingConfig {
  bool enabled = false;
  bool retry_after = true;
  int window_seconds = 10;
  double limit_scale = 1.0;  // multiplies every service limit
};

struct VaultConfig {
  std::string name;
  std::string region;
  std::string geography;
  std::string host;
  int port = 0;
  std::string port_file;
  std::string resource;
  std::string tenant;
  std::string authority;
  std::string token_signing_cert;
  std::string tls_cert;
  std::string tls_key;
  std::string data_dir;
  int admin_port = 0;
  std::string admin_port_file;
  std::string admin_token;
  std::map<std::string, std::string> backup_secrets;  // geography -> secret
  // client id -> canonical permission names (see permissions.h).
  std::map<std::string, std::set<std::string>> access_policies;
  ThrottlingConfig throttling;
  bool firewall_deny = false;
  int soft_delete_retention_days = 90;

  const std::string& backup_secret() const { return backup_secrets.at(geography); }
};

// Parses and validates; errors name the offending field.
Result<VaultConfig> ParseVaultConfig(const std::string& json_text);
Result<VaultConfig> LoadVaultConfig(const std::string& path);

}  // namespace geoekm::vaultsim
