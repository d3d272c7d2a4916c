// TestbedPlan: everything a `vaultsim testbed up` decides before starting
// processes — the directory layout, host names, tenant, app, ports — and
// what it learns while starting them (ports, pids, key copies). The config
// writers and testbed.json are rendered from it.
//
// Thread safety: a plain value.
#pragma once

#include <string>
#include <vector>

#include "vaultsim/testbed_tde_key.h"

namespace geoekm::vaultsim {

// Fixed identities of every testbed (documented in README.md).
inline constexpr char kTestbedTenant[] = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
inline constexpr char kTestbedClientId[] = "5a1d3c9e0b7f4e2a8c6d1f3b9e7a2c4d";
inline constexpr char kTestbedManagedIdentityClientId[] = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a";
inline constexpr char kTestbedResource[] = "https://vault.test";
inline constexpr char kTestbedLoginHost[] = "login.vault.test";
inline constexpr char kTestbedKeyName[] = "tde-protector";

struct TestbedVault {
  std::string name;       // eastus
  std::string region;     // eastus
  std::string geography;  // US
  std::string host;       // geoekm-eastus.vault.test
  int port = 0;           // requested (0 = free), then actual
  int admin_port = 0;
  std::string admin_token;
  int pid = 0;
  std::string dir;  // DIR/vaults/<name>
  std::string config_file, log_file, pid_file, port_file, admin_port_file, data_dir;
};

struct TestbedPlan {
  std::string dir;  // absolute
  std::string pki_dir;
  std::string ca_file;
  std::string client_secret_file;
  std::string client_certificate_file;  // PEM cert + key
  std::string client_pfx_file, client_pfx_password_file;
  std::string escrow_file;
  std::string state_file;  // geoekm state store path in the written configs

  // login service
  int login_port = 0, managed_identity_port = 0, login_pid = 0;
  std::string login_config_file, login_log_file, login_pid_file, login_port_file, managed_identity_port_file;
  std::string identity_header;  // App Service secret

  std::vector<TestbedVault> vaults;
  std::string backup_secret_us, backup_secret_jp;
  TdeKeyResult key;

  std::string LoginUrl() const { return "https://" + std::string(kTestbedLoginHost) + ":" + std::to_string(login_port); }
  static std::string VaultUrl(const TestbedVault& v) { return "https://" + v.host + ":" + std::to_string(v.port); }
};

// DIR layout and fixed names; base_port 0 = free ports, else consecutive
// ports from base_port (login, managed identity, then data+admin per vault).
TestbedPlan MakeTestbedPlan(const std::string& absolute_dir, int base_port);

}  // namespace geoekm::vaultsim
