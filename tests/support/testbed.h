// Testbed: a whole vaultsim testbed for one test (or one test suite) — runs
// `vaultsim testbed up --dir <fresh temp dir>`, parses DIR/testbed.json and
// runs `vaultsim testbed down` + removes the dir on destruction.
//
// What it gives (see vaultsim/README.md, "vaultsim testbed"): a login
// service (Entra ID v1/v2, IMDS, App Service) and three vaults — eastus and
// westus in geography US, japaneast in JP — holding the TDE key
// "tde-protector" (same version id in the US vaults, another version id but
// the same JWK thumbprint in japaneast), plus geoekm configs that point at
// them (client secret, certificate and managed identity variants).
//
// Typical use:
//   auto tb = geoekm::testing::Testbed::Start();
//   ASSERT_TRUE(tb.ok()) << tb.status().ToString();
//   const auto& east = (*tb)->info().Vault("eastus");
//   TestHttpsClient c(east.host, east.port, (*tb)->info().ca_bundle);
//   std::string config = (*tb)->info().geoekm_ini;
//
// Starting takes ~1-2 s. Processes are daemons (not children of the test):
// a test that crashes hard leaves them running until `vaultsim testbed down
// --dir DIR` (DIR is printed on start).
//
// Thread safety: not thread-safe; owned by one test or suite.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "tests/support/temp_dir.h"
#include "tests/support/vaultsim_admin_client.h"

namespace geoekm::testing {

struct TestbedVaultInfo {
  std::string name;       // eastus, westus, japaneast
  std::string region;
  std::string geography;  // US, JP
  std::string host;       // geoekm-eastus.vault.test
  int port = 0;
  std::string url;        // https://geoekm-eastus.vault.test:<port>
  int admin_port = 0;
  std::string admin_token;
  int pid = 0;
  std::string config_file, log_file, data_dir;
};

struct TestbedKeyCopy {
  std::string vault, kid, version;
};

struct TestbedInfo {
  std::string dir;
  std::string tenant, resource, client_id;
  std::string client_secret_file;
  std::string client_certificate_file;       // PEM cert + key
  std::string client_certificate_cert_file;  // cert only
  std::string client_certificate_key_file;   // key only
  std::string client_pfx_file, client_pfx_password_file;
  std::string ca_bundle, pki_dir;
  // login service
  std::string login_host;  // login.vault.test
  int login_port = 0;
  int login_pid = 0;
  std::string login_url;   // https://login.vault.test:<port>
  std::string authority;   // login_url + "/" + tenant
  std::string token_endpoint_v2, token_endpoint_v1;
  std::string login_config_file, login_log_file, signing_cert_file, signing_key_file;
  int managed_identity_port = 0;
  std::string imds_endpoint, app_service_endpoint, identity_header, managed_identity_client_id;
  // vaults in priority order
  std::vector<TestbedVaultInfo> vaults;
  // TDE key
  std::string key_name, thumbprint, escrow_file;
  std::vector<TestbedKeyCopy> key_copies;
  // geoekm configs
  std::string geoekm_ini, geoekm_json, geoekm_certificate_ini, geoekm_managed_identity_ini, state_path;

  const TestbedVaultInfo& Vault(const std::string& name) const;  // asserts it exists
};

// Parses a testbed.json text.
Result<TestbedInfo> ParseTestbedJson(const std::string& json_text);

class Testbed {
 public:
  // Brings a testbed up in a fresh temp dir.
  static Result<std::unique_ptr<Testbed>> Start();
  ~Testbed();
  Testbed(const Testbed&) = delete;
  Testbed& operator=(const Testbed&) = delete;

  const TestbedInfo& info() const { return info_; }
  const std::string& dir() const { return dir_->path(); }
  // The admin API of one of its vaults (faults, counters, keys).
  VaultSimAdminClient Admin(const std::string& vault) const;
  std::string ClientSecret() const;  // content of client_secret_file

  // `vaultsim testbed down`; returns its exit code. The destructor calls it too.
  int Down();
  const std::string& last_down_output() const { return last_down_output_; }

  // One vault as a lost region: `vaultsim testbed kill` (SIGKILL, no clean
  // shutdown). Fails when the vault was not running.
  Status KillVault(const std::string& name);
  // `vaultsim testbed start`: the killed vault again, on the same ports and
  // data dir (same URL, same keys); info().Vault(name).pid is updated.
  Status StartVault(const std::string& name);

  // The built vaultsim binary; `vaultsim <args>` run to completion with
  // stdout+stderr captured.
  static std::string VaultsimBinary();
  static int RunVaultsim(const std::vector<std::string>& args, std::string* output);

 private:
  Testbed(std::unique_ptr<TempDir> dir, TestbedInfo info) : dir_(std::move(dir)), info_(std::move(info)) {}

  std::unique_ptr<TempDir> dir_;
  TestbedInfo info_;
  bool down_ = false;
  std::string last_down_output_;
};

}  // namespace geoekm::testing
