// ReplicationTestbed: a fresh vaultsim testbed per test for the replication
// commands, with the helpers their broken-vault-set cases need: open a
// runtime on the testbed's configuration, wrap through it (so the state
// store records the version, as a running provider would), rotate the key
// everywhere by importing new material (so the old version becomes
// history), and a snapshot of what each vault holds, read over the
// vaultsim admin-capable client, to prove a command changed nothing.
//
// Thread safety: one fixture per test, gtest's thread.
#pragma once

#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/vault_set_config.h"
#include "keyvault/keys/key_types.h"
#include "provider/runtime/vault_set_runtime.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"

namespace geoekm::testing {

// A command's --json output as an object (a test failure, and an empty
// object, when it is not one).
Poco::JSON::Object::Ptr ParseJsonObject(const std::string& text);

class ReplicationTestbed : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const TestbedInfo& info() const { return tb_->info(); }
  Testbed& testbed() { return *tb_; }
  VaultSimAdminClient Admin(const std::string& vault) const;

  // Opens (or reopens) the runtime on config_.
  ::testing::AssertionResult Open();
  void Close() { rt_.reset(); }
  // Wraps one DEK through the router (the store records the version used).
  ::testing::AssertionResult WrapOnce();
  // A new version of the key in every vault (the same new material, imported
  // everywhere), then a wrap with it through a fresh runtime: the previous
  // version is now history. Returns the new thumbprint ("" on failure).
  std::string RotateEverywhere();
  // Imports `jwk` as a new version of the key (or of `name`) into one vault (admin client).
  Result<KeyBundle> ImportInto(const std::string& vault, const PrivateRsaJwk& jwk, const std::string& name = "");
  // The vault's copy (version id) of a thumbprint ("" when none) — read with
  // the admin-capable client.
  std::string VersionIn(const std::string& vault, const std::string& thumbprint);

  // Soft-deletes the key name in one vault the way an operator's mistake
  // would: grants the testbed app 'delete' there (admin API) and sends
  // DELETE /keys/{name} over REST with a token from the login service.
  // Never geoekm code (invariant 4).
  ::testing::AssertionResult SoftDeleteKey(const std::string& vault);

  // What every vault holds under the key (version ids, thumbprints,
  // attributes), read with the admin-capable client; "" entries for vaults
  // that cannot be read. Two snapshots compare equal when nothing changed.
  std::map<std::string, std::string> Snapshot();

  // Runs a geoekm command in-process (the command table), capturing output.
  int Run(const std::vector<std::string>& args, std::string* out, std::string* err = nullptr);

  std::unique_ptr<Testbed> tb_;
  VaultSetConfig config_;
  std::string key_;
  std::unique_ptr<VaultSetRuntime> rt_;
};

}  // namespace geoekm::testing
