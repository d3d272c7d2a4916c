// VaultSimProcess: one real `vaultsim vault` child process for a test —
// writes its JSON config (vaultsim/README.md) into a temp dir,
// fork/execs the built binary, waits until both ports are listening, and
// can stop (SIGTERM), kill (SIGKILL = "region down") and restart it on the
// same ports with the same data dir (the "region" keeps its keys).
// The child dies with the test process (PR_SET_PDEATHSIG) and is killed by
// the destructor, so failures never leak processes.
//
// Typical use:
//   auto vault = VaultSimProcess::Start(VaultSimOptions{});   // eastus, shared PKI
//   ASSERT_TRUE(vault) << VaultSimProcess::last_error();
//   TestHttpsClient c = vault->Client();                       // token for kTestClientId set
//   auto r = c.Send("POST", "/keys/k/create?api-version=7.5", R"({"kty":"RSA"})");
//   vault->Admin().SetFaults(R"({"error":{"status":503,"rate":1}})");
//
// Thread safety: not thread-safe; owned by one test.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/test_https_client.h"
#include "tests/support/test_pki_files.h"
#include "tests/support/test_tokens.h"
#include "tests/support/vaultsim_admin_client.h"

namespace geoekm::testing {

struct VaultSimOptions {
  std::string name = "geoekm-eastus";
  std::string region = "eastus";
  std::string geography = "us";
  std::string host = kEastUsHost;  // must have a cert in the PKI
  std::string resource = kTestResource;
  std::string tenant = kTestTenant;
  std::string authority = "https://login.vault.test";
  // client id -> permissions ("all" allowed). Default: kTestClientId all,
  // kReadOnlyClientId get+list, kWrapOnlyClientId get+wrapKey+unwrapKey.
  std::map<std::string, std::vector<std::string>> access_policies = {
      {kTestClientId, {"all"}},
      {kReadOnlyClientId, {"get", "list"}},
      {kWrapOnlyClientId, {"get", "wrapKey", "unwrapKey"}}};
  std::map<std::string, std::string> backup_secrets = {{"us", "test-backup-secret-geography-us"},
                                                       {"europe", "test-backup-secret-geography-europe"}};
  bool throttling = false;
  bool retry_after = true;
  int window_seconds = 10;
  double limit_scale = 1.0;
  bool firewall_deny = false;
  std::string data_dir;  // empty = <process temp dir>/data
  const TestPkiFiles* pki = nullptr;  // null = TestPkiFiles::Shared()
};

class VaultSimProcess {
 public:
  // Nullptr on failure; last_error() says why (with the child's stderr).
  static std::unique_ptr<VaultSimProcess> Start(VaultSimOptions options);
  static const std::string& last_error();
  ~VaultSimProcess();

  bool Stop();     // SIGTERM, wait for exit; true on a clean exit
  void Kill();     // SIGKILL, wait
  bool Restart();  // Start again (same ports, same data dir) after Stop/Kill
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  int port() const { return port_; }
  int admin_port() const { return admin_port_; }
  const std::string& host() const { return options_.host; }
  std::string base_url() const { return "https://" + options_.host + ":" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& config_path() const { return config_path_; }
  const std::string& admin_token() const { return admin_token_; }
  const VaultSimOptions& options() const { return options_; }
  const TestPkiFiles& pki() const { return *pki_; }
  std::string log() const;  // the child's stderr so far

  // A client for the vault host with "Authorization: Bearer <token>" preset
  // (token for kTestClientId unless a spec is given).
  TestHttpsClient Client() const;
  TestHttpsClient Client(const TokenSpec& token) const;
  TestHttpsClient UnauthenticatedClient() const;
  VaultSimAdminClient Admin() const;

 private:
  explicit VaultSimProcess(VaultSimOptions options);
  bool Launch();
  bool WriteConfig();

  VaultSimOptions options_;
  const TestPkiFiles* pki_;
  TempDir dir_{"geoekm-vaultsim"};
  std::string data_dir_;
  std::string config_path_;
  std::string admin_token_;
  pid_t pid_ = -1;
  int port_ = 0;
  int admin_port_ = 0;
};

// Path of the built vaultsim binary (compile definition, or $VAULTSIM_BINARY).
std::string VaultSimBinary();

}  // namespace geoekm::testing
