// The geo-link check and historic-backup verification against broken vault
// sets on a real testbed (issue: "Broken vault sets, each making check
// and/or verify-history exit 1 with the right message, and changing
// nothing"). Each test breaks one thing, runs the commands as the CLI does
// and proves every vault's persisted state is byte-for-byte unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "provider/cli/cli_command.h"
#include "state/missing_versions_message.h"
#include "tests/replication/replication_fixture.h"
#include "tests/replication/write_side_support.h"
#include "tests/support/test_private_jwk.h"

namespace geoekm {
namespace {

using ::testing::HasSubstr;

class BrokenVaultSetTest : public testing::ReplicationTestbed {
 protected:
  // An old version in the history and a current one, in every vault.
  void TwoVersions() {
    ASSERT_TRUE(WrapOnce());
    old_ = info().thumbprint;
    current_ = RotateEverywhere();
    ASSERT_FALSE(current_.empty());
    Close();  // the commands open their own runtime on the same state file
  }
  // `geoekm <command> --config <testbed ini> <extra>`; stdout and stderr into *out.
  int Command(const std::string& command, std::string* out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {command, "--config", info().geoekm_ini};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string err;
    int rc = Run(args, out, &err);
    *out += err;
    return rc;
  }
  int Check(std::string* out, std::vector<std::string> extra = {}) { return Command("check", out, std::move(extra)); }
  int VerifyHistory(std::string* out) { return Command("verify-history", out); }
  // The history's creation time of a version, as verify-history prints it.
  std::string CreatedOf(const std::string& thumbprint) {
    EXPECT_TRUE(Open());
    auto v = rt_->store().FindKeyVersion(thumbprint);
    Close();
    if (!v.ok() || !*v || !(*v)->created) return "?";
    return FormatUtcTimestamp(*(*v)->created * 1000);
  }

  std::string old_, current_;
};

TEST_F(BrokenVaultSetTest, HappyPathExitsZeroAndChangesNothing) {
  TwoVersions();
  auto before = Snapshot();
  std::string out;
  EXPECT_EQ(Check(&out), cli::kExitOk) << out;
  EXPECT_THAT(out, HasSubstr("SAFE to link"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("MISSING")));
  EXPECT_EQ(VerifyHistory(&out), cli::kExitOk) << out;
  EXPECT_THAT(out, HasSubstr("(2 versions)"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(BrokenVaultSetTest, DisabledOldVersion) {
  TwoVersions();
  const std::string old_in_west = VersionIn("westus", old_);
  ASSERT_FALSE(old_in_west.empty());
  ASSERT_TRUE(Admin("westus").SetKeyAttributes(key_, old_in_west, false));
  auto before = Snapshot();
  std::string out;
  EXPECT_EQ(Check(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("[disabled] the historic version of 'tde-protector' in vault westus (version " +
                             old_in_west + ") is disabled"));
  EXPECT_THAT(out, HasSubstr("--enabled true"));
  EXPECT_EQ(VerifyHistory(&out), cli::kExitProblem) << out;
  const std::string t = CreatedOf(old_);
  EXPECT_THAT(out, HasSubstr("Target server 'westus' does not have access to all AKV Uris created between " + t +
                             " and " + t));
  EXPECT_THAT(out, HasSubstr("recovery pending"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("Target server 'eastus'")));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(BrokenVaultSetTest, SoftDeletedKeyNameSaysHowToRecover) {
  TwoVersions();
  ASSERT_TRUE(SoftDeleteKey("japaneast"));
  auto before = Snapshot();
  std::string out;
  EXPECT_EQ(VerifyHistory(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("key 'tde-protector' is soft-deleted in vault japaneast"));
  EXPECT_THAT(out, HasSubstr("az keyvault key recover --vault-name geoekm-japaneast --name tde-protector"));
  EXPECT_THAT(out, HasSubstr("/deletedkeys/tde-protector/recover"));
  EXPECT_THAT(out, HasSubstr("before it is purged at"));
  EXPECT_THAT(out, HasSubstr("Target server 'japaneast' does not have access to all AKV Uris created between " +
                             CreatedOf(old_) + " and " + CreatedOf(current_)));
  EXPECT_EQ(Check(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("[key-deleted]"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(BrokenVaultSetTest, VersionMissingInOneVault) {
  ASSERT_TRUE(WrapOnce());
  Close();
  // A rotation that reached only the US vaults; a node configured with only
  // those wrapped with it, so the shared history holds it.
  PrivateRsaJwk jwk = testing::NewPrivateJwk();
  for (const char* v : {"westus", "eastus"}) ASSERT_TRUE(ImportInto(v, jwk).ok());
  VaultSetConfig full = config_;
  config_.vaults.resize(2);
  ASSERT_TRUE(WrapOnce());
  Close();
  config_ = full;
  auto before = Snapshot();
  std::string out;
  EXPECT_EQ(Check(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("vault japaneast does not hold the current version of 'tde-protector'"));
  EXPECT_THAT(out, HasSubstr("held by eastus, westus"));
  EXPECT_THAT(out, HasSubstr("SameKeyMaterialNotFoundOnRemoteServer"));
  EXPECT_EQ(VerifyHistory(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("Target server 'japaneast' does not have access to all AKV Uris created between"));
  EXPECT_THAT(out, HasSubstr("the version's kid elsewhere: https://geoekm-eastus.vault.test"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("Target server 'westus'")));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(BrokenVaultSetTest, UnwrapPermissionRevoked) {
  ASSERT_TRUE(WrapOnce());
  Close();
  ASSERT_TRUE(Admin("westus").Revoke(info().client_id, {"unwrapKey"}));
  auto before = Snapshot();
  std::string out;
  EXPECT_EQ(Check(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("lacks the keys permission 'unwrapKey' on vault westus"));
  EXPECT_THAT(out, HasSubstr("westus     ok   ok    ok       MISSING"));
  EXPECT_EQ(VerifyHistory(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("lacks the keys permission 'unwrapKey' on vault westus"));
  EXPECT_THAT(out, HasSubstr("Target server 'westus'"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(BrokenVaultSetTest, RogueKeySameNameOtherMaterial) {
  ASSERT_TRUE(WrapOnce());
  Close();
  auto rogue = ImportInto("japaneast", testing::NewPrivateJwk());
  ASSERT_TRUE(rogue.ok()) << rogue.status().ToString();
  auto before = Snapshot();
  std::string out;
  EXPECT_EQ(Check(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("vault japaneast holds other key material under 'tde-protector' (version " +
                             rogue->version + ", thumbprint " + rogue->thumbprint + ")"));
  EXPECT_THAT(out, HasSubstr("it is this vault's newest version"));
  EXPECT_THAT(out, HasSubstr("SameKeyMaterialNotFoundOnRemoteServer"));
  EXPECT_THAT(out, HasSubstr("NOT IN HISTORY"));
  // The historic version itself is still restorable everywhere.
  EXPECT_EQ(VerifyHistory(&out), cli::kExitOk) << out;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(BrokenVaultSetTest, KeyExpiringInTenDays) {
  ASSERT_TRUE(WrapOnce());
  Close();
  const std::int64_t exp = static_cast<std::int64_t>(std::time(nullptr)) + 10 * 86400;
  for (const char* v : {"eastus", "westus"}) {
    ASSERT_TRUE(Admin(v).SetKeyAttributes(key_, VersionIn(v, info().thumbprint), std::nullopt, std::nullopt, exp));
  }
  auto before = Snapshot();
  std::string out;
  EXPECT_EQ(Check(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("[expires-soon]"));
  EXPECT_THAT(out, HasSubstr("expires at " + FormatUtcTimestamp(exp * 1000)));
  // Secondaries first: westus (priority 2) before eastus (the primary).
  const auto west = out.find("1. westus"), east = out.find("2. eastus");
  EXPECT_NE(west, std::string::npos) << out;
  EXPECT_NE(east, std::string::npos) << out;
  EXPECT_EQ(Check(&out, {"--expiry-days", "5"}), cli::kExitOk) << out;
  EXPECT_EQ(VerifyHistory(&out), cli::kExitOk) << out;  // not expired yet
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(BrokenVaultSetTest, UnreachableVaultIsExitOneNamingIt) {
  ASSERT_TRUE(WrapOnce());
  Close();
  ASSERT_TRUE(testbed().KillVault("japaneast").ok());
  std::string out;
  EXPECT_EQ(Check(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("vault japaneast (https://geoekm-japaneast.vault.test"));
  EXPECT_THAT(out, HasSubstr("could not be read: error 30"));
  EXPECT_EQ(VerifyHistory(&out), cli::kExitProblem) << out;
  EXPECT_THAT(out, HasSubstr("Target server 'japaneast' does not have access to all AKV Uris created between"));
  // The vaults that answer are fine, and the vault's data is untouched.
  EXPECT_EQ(Check(&out, {"--vaults", "eastus,westus"}), cli::kExitOk) << out;
  auto before = Snapshot();
  ASSERT_TRUE(testbed().StartVault("japaneast").ok());
  EXPECT_EQ(Snapshot(), before);
}


// check and verify-history cover every configured key name, not only the
// first: a second key missing from one vault makes check exit 1 naming that
// key and vault, though the first key is fine; --key picks one key, and
// --json reports each key under "keys".
TEST_F(BrokenVaultSetTest, EveryConfiguredKeyIsCheckedNotOnlyTheFirst) {
  ASSERT_TRUE(WrapOnce());
  Close();
  const std::string second = "second-protector";
  PrivateRsaJwk jwk = testing::NewPrivateJwk();
  for (const char* v : {"eastus", "westus"}) ASSERT_TRUE(ImportInto(v, jwk, second).ok());
  const std::string two_keys = testing::WriteConfigVariant(info(), "two-keys.ini", key_ + ", " + second, "");
  auto before = Snapshot();

  std::string out, err;
  EXPECT_EQ(Run({"check", "--config", two_keys}, &out, &err), cli::kExitProblem) << out << err;
  EXPECT_THAT(out, HasSubstr("geoekm check: key '" + key_ + "'"));
  EXPECT_THAT(out, HasSubstr("geoekm check: key '" + second + "'"));
  EXPECT_THAT(out, HasSubstr("SAFE to link"));
  EXPECT_THAT(out, HasSubstr("NOT SAFE to link"));
  EXPECT_THAT(out, HasSubstr("japaneast"));

  EXPECT_EQ(Run({"check", "--config", two_keys, "--key", key_}, &out, &err), cli::kExitOk) << out << err;
  EXPECT_THAT(out, ::testing::Not(HasSubstr(second)));
  EXPECT_EQ(Run({"check", "--config", two_keys, "--key", second}, &out, &err), cli::kExitProblem) << out << err;
  EXPECT_EQ(Run({"check", "--config", two_keys, "--key", "not-configured"}, &out, &err), cli::kExitUsage);
  EXPECT_THAT(err, HasSubstr("--key not-configured is not one of the configured key_names"));

  EXPECT_EQ(Run({"check", "--config", two_keys, "--json"}, &out, &err), cli::kExitProblem) << err;
  Poco::JSON::Object::Ptr doc = testing::ParseJsonObject(out);
  EXPECT_EQ(doc->getValue<std::string>("command"), "check");
  EXPECT_FALSE(doc->getValue<bool>("ok"));
  auto keys = doc->getArray("keys");
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE(keys->getObject(0)->getValue<bool>("safe"));
  EXPECT_FALSE(keys->getObject(1)->getValue<bool>("safe"));

  // status shows one key: the first, or the one --key names.
  Run({"status", "--config", two_keys, "--json"}, &out, &err);
  EXPECT_EQ(testing::ParseJsonObject(out)->getValue<std::string>("key"), key_) << out << err;
  Run({"status", "--config", two_keys, "--key", second, "--json"}, &out, &err);
  EXPECT_EQ(testing::ParseJsonObject(out)->getValue<std::string>("key"), second) << out << err;

  // The second key has no history yet: nothing to restore, so verify-history
  // passes for both, and names both.
  EXPECT_EQ(Run({"verify-history", "--config", two_keys}, &out, &err), cli::kExitOk) << out << err;
  EXPECT_THAT(out, HasSubstr(second));
  EXPECT_EQ(Snapshot(), before);
}

}  // namespace
}  // namespace geoekm
