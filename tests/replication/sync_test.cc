// geoekm sync against the testbed (eastus + westus in geography US,
// japaneast in JP). A second key name, "tde-extra", is imported into eastus
// only and recorded in the history by `state rebuild`: westus (same
// geography, no key of that name) must get it by backup/restore with the
// same version id, japaneast (other geography) only by an escrow import
// with a new version id and the same thumbprint; without the escrow the plan
// names it; a second --apply changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "config/config_loader.h"
#include "core/error_codes.h"
#include "replication/escrow_file.h"
#include "state/state_store.h"
#include "tests/replication/replication_fixture.h"
#include "tests/replication/write_side_support.h"

namespace geoekm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kExtra[] = "tde-extra";

class Sync : public ReplicationTestbed {
 protected:
  void SetUp() override {
    ReplicationTestbed::SetUp();
    if (HasFatalFailure()) return;
    ini_ = WriteConfigVariant(info(), "sync.ini", std::string("tde-protector, ") + kExtra, "");
    auto config = LoadVaultSetConfig(ini_);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    sync_config_ = std::move(config).value();
    auto key = LocalRsaKey::Generate(2048);
    ASSERT_TRUE(key.ok());
    key_material_ = std::move(key).value();
    pass_file_ = WritePassphraseFile(info(), "escrow.pass", "an escrow passphrase");
    escrow_ = info().dir + "/tde-extra.escrow.pem";
    ASSERT_TRUE(WriteEscrowFile(escrow_, *key_material_, SecureString("an escrow passphrase")).ok());
    // The operator's BYOK import into the primary only.
    auto east = ClientOf(sync_config_, "eastus");
    ASSERT_TRUE(east.ok()) << east.status().ToString();
    auto jwk = key_material_->ToJwk();
    ASSERT_TRUE(jwk.ok());
    auto imported = (*east)->ImportKey(kExtra, *jwk, false, {}, Deadline::After(std::chrono::seconds(30)));
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    east_version_ = imported->version;
    std::string out, err;
    ASSERT_EQ(Run({"state", "rebuild", "--config", ini_}, &out, &err), 0) << out << err;
  }

  std::vector<std::string> Versions(const std::string& vault) {
    return VersionsWith(sync_config_, vault, kExtra, key_material_->thumbprint());
  }
  std::vector<std::string> SyncArgs(std::vector<std::string> extra) {
    std::vector<std::string> args = {"sync", "--config", ini_, "--key", kExtra};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::string ini_, pass_file_, escrow_, east_version_;
  VaultSetConfig sync_config_;
  std::unique_ptr<LocalRsaKey> key_material_;
};

TEST_F(Sync, DryRunPlansARestoreAndNamesTheEscrowNeededAndChangesNothing) {
  const auto before = Snapshot();
  std::string out, err;
  EXPECT_EQ(Run(SyncArgs({}), &out, &err), 1) << out << err;
  EXPECT_THAT(out, HasSubstr("restore-from-backup"));
  EXPECT_THAT(out, HasSubstr("westus: eastus (same geography US) holds 1 missing version(s)"));
  EXPECT_THAT(out, HasSubstr("needs-escrow"));
  EXPECT_THAT(out, HasSubstr("japaneast: no vault of geography JP holds it"));
  EXPECT_THAT(out, HasSubstr("needed: the escrow copy of version " + key_material_->thumbprint()));
  EXPECT_THAT(out, HasSubstr("dry run: nothing was changed"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(Sync, RestoresAVersionMissingFromASameGeographyVaultFromBackup) {
  std::string out, err;
  // No escrow: westus is restored, japaneast stays missing (exit 1).
  EXPECT_EQ(Run(SyncArgs({"--apply"}), &out, &err), 1) << out << err;
  EXPECT_THAT(out, HasSubstr("done, verified (" + east_version_ + ")"));
  EXPECT_EQ(Versions("westus"), std::vector<std::string>{east_version_});  // same version id: a restore
  EXPECT_TRUE(Versions("japaneast").empty());
  EXPECT_THAT(out, HasSubstr("needed: the escrow copy of version " + key_material_->thumbprint()));
  // Recorded as verified in the state store.
  auto store = StateStore::Open({.path = sync_config_.provider.state_path});
  ASSERT_TRUE(store.ok());
  auto copies = (*store)->CopiesOfVersion(key_material_->thumbprint());
  ASSERT_TRUE(copies.ok());
  bool west_verified = false;
  for (const auto& c : *copies) west_verified |= c.vault == "westus" && c.status == CopyStatus::kVerified;
  EXPECT_TRUE(west_verified);
}

TEST_F(Sync, ImportsFromEscrowIntoTheOtherGeographyAndASecondApplyChangesNothing) {
  std::string out, err;
  EXPECT_EQ(Run(SyncArgs({"--apply", "--escrow", escrow_, "--passphrase-file", pass_file_}), &out, &err), 0)
      << out << err;
  EXPECT_THAT(out, HasSubstr("import-from-escrow"));
  EXPECT_THAT(out, Not(HasSubstr("FAILED")));
  EXPECT_THAT(out, Not(HasSubstr("an escrow passphrase")));  // never echoed
  const auto japan = Versions("japaneast");
  ASSERT_EQ(japan.size(), 1u);
  EXPECT_NE(japan.front(), east_version_);  // new version id, same thumbprint
  EXPECT_EQ(Versions("westus"), std::vector<std::string>{east_version_});

  const auto before = Snapshot();
  EXPECT_EQ(Run(SyncArgs({"--apply", "--escrow", escrow_, "--passphrase-file", pass_file_}), &out, &err), 0)
      << out << err;
  EXPECT_THAT(out, HasSubstr("every vault holds every version: nothing to do"));
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(Versions("japaneast").size(), 1u);
}

TEST_F(Sync, AnEscrowOfOtherMaterialIsNotImportedAndJsonNamesTheNeed) {
  auto other = LocalRsaKey::Generate(2048);
  ASSERT_TRUE(other.ok());
  const std::string wrong = info().dir + "/other.escrow.pem";
  ASSERT_TRUE(WriteEscrowFile(wrong, **other, SecureString("an escrow passphrase")).ok());
  std::string out, err;
  EXPECT_EQ(Run(SyncArgs({"--apply", "--escrow", wrong, "--passphrase-file", pass_file_, "--json"}), &out, &err), 1)
      << out << err;
  EXPECT_THAT(out, HasSubstr("\"action\": \"needs-escrow\""));
  EXPECT_THAT(out, HasSubstr("the escrow given holds " + (*other)->thumbprint()));
  EXPECT_TRUE(Versions("japaneast").empty());
  EXPECT_TRUE(VersionsWith(sync_config_, "japaneast", kExtra, (*other)->thumbprint()).empty());
}

TEST_F(Sync, UsageAndCouldNotRun) {
  std::string out, err;
  EXPECT_EQ(Run(SyncArgs({"--escrow", escrow_}), &out, &err), 2) << err;  // no passphrase file
  EXPECT_EQ(Run({"sync", "--config", ini_, "--key", "not-configured"}, &out, &err), 2) << err;
  const std::string open_pass = WritePassphraseFile(info(), "open.pass", "x");
  ::chmod(open_pass.c_str(), 0644);
  EXPECT_EQ(Run(SyncArgs({"--escrow", escrow_, "--passphrase-file", open_pass}), &out, &err), 3) << err;
  const std::string wrong_pass = WritePassphraseFile(info(), "wrong.pass", "not the passphrase");
  EXPECT_EQ(Run(SyncArgs({"--escrow", escrow_, "--passphrase-file", wrong_pass}), &out, &err), 3) << err;
  EXPECT_THAT(err, HasSubstr(std::to_string(codes::kPemPrivateKey)));
  EXPECT_THAT(err, Not(HasSubstr("not the passphrase")));
}

TEST_F(Sync, AnUnreachableAuthorityCouldNotRunAndChangesNothing) {
  const auto before = Snapshot();
  ASSERT_EQ(::kill(info().login_pid, SIGKILL), 0);  // Entra ID is gone: no vault can be asked
  std::string out, err;
  EXPECT_EQ(Run(SyncArgs({"--apply", "--escrow", escrow_, "--passphrase-file", pass_file_}), &out, &err), 3)
      << out << err;
  EXPECT_THAT(err, HasSubstr("could not run: no vault could be asked"));
  EXPECT_EQ(Run({"rotate", "--config", ini_, "--escrow-out", info().dir + "/never.pem", "--passphrase-file",
                 pass_file_, "--apply"},
                &out, &err),
            3)
      << out << err;
  EXPECT_EQ(Snapshot(), before);
  struct stat st {};
  EXPECT_NE(::stat((info().dir + "/never.pem").c_str(), &st), 0);  // nothing generated or written
}

}  // namespace
}  // namespace geoekm::testing
