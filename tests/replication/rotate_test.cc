// geoekm rotate against the testbed: two rotations, after which every DEK
// wrapped before each of them unwraps in every vault; the escrow is written
// (0600, encrypted) and the T-SQL printed; a rotation interrupted by a vault
// killed mid-way leaves the primary untouched, keeps wraps on the previous
// version, refuses a new rotation and is finished by --resume.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "replication/escrow_file.h"
#include "replication/key_rotation.h"
#include "replication/rotation_journal.h"
#include "tests/replication/replication_fixture.h"
#include "tests/replication/write_side_support.h"
#include "tests/support/soon.h"

namespace geoekm::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPassphrase[] = "rotation passphrase";

class Rotate : public ReplicationTestbed {
 protected:
  void SetUp() override {
    ReplicationTestbed::SetUp();
    if (HasFatalFailure()) return;
    pass_file_ = WritePassphraseFile(info(), "rotate.pass", kPassphrase);
  }

  // A DEK wrapped through a fresh runtime (the current version as a newly
  // started provider sees it).
  WrappedKey WrapFresh(SecureBytes dek) {
    EXPECT_TRUE(Open());
    auto w = rt_->router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? *w : WrappedKey{};
  }

  int RotateCli(const std::string& escrow, std::string* out, std::vector<std::string> extra = {"--apply"}) {
    std::vector<std::string> args = {"rotate", "--config", info().geoekm_ini, "--escrow-out", escrow,
                                     "--passphrase-file", pass_file_};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string err;
    const int rc = Run(args, out, &err);
    *out += err;
    return rc;
  }

  // The new thumbprint a successful rotate printed.
  static std::string PrintedThumbprint(const std::string& out) {
    const std::string marker = "new material: thumbprint ";
    const auto at = out.find(marker);
    return at == std::string::npos ? "" : out.substr(at + marker.size(), 43);
  }

  std::string pass_file_;
};

TEST_F(Rotate, TwiceThenEveryDekWrappedBeforeEachRotationUnwrapsInEveryVault) {
  std::vector<WrappedKey> wrapped;
  std::vector<SecureBytes> deks;
  for (int round = 0; round < 3; ++round) {
    SecureBytes dek(32, static_cast<std::uint8_t>(0x10 + round));
    deks.push_back(dek);
    wrapped.push_back(WrapFresh(dek));
    if (round == 2) break;
    const std::string escrow = info().dir + "/rotation-" + std::to_string(round) + ".escrow.pem";
    std::string out;
    ASSERT_EQ(RotateCli(escrow, &out), 0) << out;
    const std::string thumbprint = PrintedThumbprint(out);
    ASSERT_EQ(thumbprint.size(), 43u) << out;
    EXPECT_NE(thumbprint, wrapped.back().thumbprint);
    // Escrowed before the vaults, private, and it is this material.
    struct stat st {};
    ASSERT_EQ(::stat(escrow.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto escrowed = ReadEscrowFile(escrow, SecureString(kPassphrase));
    ASSERT_TRUE(escrowed.ok()) << escrowed.status().ToString();
    EXPECT_EQ((*escrowed)->thumbprint(), thumbprint);
    EXPECT_EQ((*escrowed)->bits(), config_.provider.key_size);
    // Every vault holds it once; japaneast (BYOK import) under its own id.
    const auto east = VersionsWith(config_, "eastus", key_, thumbprint);
    ASSERT_EQ(east.size(), 1u);
    EXPECT_EQ(VersionsWith(config_, "westus", key_, thumbprint).size(), 1u);
    EXPECT_EQ(VersionsWith(config_, "japaneast", key_, thumbprint).size(), 1u);
    // The T-SQL the DBA runs next names the primary's version.
    EXPECT_THAT(out, HasSubstr("PROVIDER_KEY_NAME = '" + key_ + "/" + east.front() + "'"));
    EXPECT_THAT(out, HasSubstr("ALTER DATABASE ENCRYPTION KEY ENCRYPTION BY SERVER ASYMMETRIC KEY"));
    EXPECT_THAT(out, ::testing::Not(HasSubstr(kPassphrase)));
  }
  // Wraps moved to each new version; three distinct versions were used.
  EXPECT_NE(wrapped[0].thumbprint, wrapped[1].thumbprint);
  EXPECT_NE(wrapped[1].thumbprint, wrapped[2].thumbprint);

  ASSERT_TRUE(Open());
  for (std::size_t i = 0; i < wrapped.size(); ++i) {
    auto plain = rt_->router().Unwrap({key_, wrapped[i].thumbprint, "", wrapped[i].algorithm, wrapped[i].wrapped},
                                      Soon());
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(*plain, deks[i]);
    // And in each vault by itself, with that vault's version id.
    auto located = rt_->router().Locate(key_, wrapped[i].thumbprint, Soon());
    ASSERT_TRUE(located.ok()) << located.status().ToString();
    EXPECT_EQ(located->held_by.size(), 3u) << "DEK " << i;
    EXPECT_TRUE(located->missing_in.empty());
    for (const KeyVersionLocation& at : located->held_by) {
      auto one = rt_->vault(at.vault)->UnwrapKey(key_, at.version, wrapped[i].algorithm, wrapped[i].wrapped, Soon());
      ASSERT_TRUE(one.ok()) << at.vault << ": " << one.status().ToString();
      EXPECT_EQ(*one, deks[i]) << at.vault;
    }
  }
  // The geo-link check and historic-backup verification agree.
  std::string out, err;
  EXPECT_EQ(Run({"check", "--config", info().geoekm_ini}, &out, &err), 0) << out << err;
  EXPECT_EQ(Run({"verify-history", "--config", info().geoekm_ini}, &out, &err), 0) << out << err;
}

TEST_F(Rotate, DryRunGeneratesAndChangesNothing) {
  const auto before = Snapshot();
  const std::string escrow = info().dir + "/dry.escrow.pem";
  std::string out;
  EXPECT_EQ(RotateCli(escrow, &out, {}), 0) << out;
  EXPECT_THAT(out, HasSubstr("dry run"));
  // Secondaries first, the primary last.
  EXPECT_LT(out.find("japaneast"), out.find("westus"));
  EXPECT_LT(out.find("westus  "), out.find("eastus  "));
  struct stat st {};
  EXPECT_NE(::stat(escrow.c_str(), &st), 0);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(Rotate, AnInterruptedRotationKeepsWrapsOnTheOldVersionAndResumes) {
  const std::string old_thumbprint = WrapFresh(SecureBytes(32, 0x42)).thumbprint;
  ASSERT_FALSE(old_thumbprint.empty());
  const std::string escrow = info().dir + "/interrupted.escrow.pem";
  RotationReport report;
  {
    ASSERT_TRUE(Open());
    RotationRequest request;
    request.key_name = key_;
    request.escrow_path = escrow;
    request.passphrase = kPassphrase;
    request.apply = true;
    // The region of westus is lost right after japaneast got its copy.
    request.after_vault = [&](const RotationVaultStep& step) {
      if (step.vault == "japaneast") {
        ASSERT_TRUE(testbed().KillVault("westus").ok());
      }
    };
    auto r = RotateKey(*rt_, request);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    report = *r;
  }
  ASSERT_EQ(report.steps.size(), 3u);
  EXPECT_EQ(report.steps[0].vault, "japaneast");
  EXPECT_EQ(report.steps[0].state, RotationVaultState::kImported);
  EXPECT_EQ(report.steps[1].state, RotationVaultState::kFailed);
  EXPECT_EQ(report.steps[2].vault, "eastus");
  EXPECT_EQ(report.steps[2].state, RotationVaultState::kNotAttempted);
  EXPECT_FALSE(report.complete());
  const std::string thumbprint = report.thumbprint;
  EXPECT_TRUE(VersionsWith(config_, "eastus", key_, thumbprint).empty());  // the primary untouched
  auto journal = ReadRotationJournal(RotationJournalPath(escrow));
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  EXPECT_EQ(journal->thumbprint, thumbprint);
  EXPECT_EQ(journal->vaults["japaneast"].version, report.steps[0].version);
  EXPECT_TRUE(journal->vaults["westus"].version.empty());

  // westus is back, the rotation still partial (japaneast holds the new
  // version, westus and the primary do not): wraps stay on the version every
  // vault holds. (While westus was down a fresh router wrapped with nothing:
  // it cannot confirm any version there.)
  ASSERT_TRUE(testbed().StartVault("westus").ok());
  EXPECT_EQ(WrapFresh(SecureBytes(32, 0x43)).thumbprint, old_thumbprint);
  // A new rotation is refused while this one is unfinished.
  const auto before = Snapshot();
  std::string out;
  EXPECT_EQ(RotateCli(info().dir + "/another.escrow.pem", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("rotation refused"));
  EXPECT_THAT(out, HasSubstr("lacks version " + thumbprint));
  EXPECT_EQ(Snapshot(), before);

  EXPECT_EQ(RotateCli(escrow, &out, {"--resume", "--apply"}), 0) << out;
  EXPECT_THAT(out, HasSubstr("already-held"));
  EXPECT_THAT(out, HasSubstr("PROVIDER_KEY_NAME"));
  for (const char* vault : {"eastus", "westus", "japaneast"}) {
    EXPECT_EQ(VersionsWith(config_, vault, key_, thumbprint).size(), 1u) << vault;  // never imported twice
  }
  EXPECT_EQ(WrapFresh(SecureBytes(32, 0x44)).thumbprint, thumbprint);
  // A resume of a finished rotation changes nothing.
  const auto done = Snapshot();
  EXPECT_EQ(RotateCli(escrow, &out, {"--resume", "--apply"}), 0) << out;
  EXPECT_EQ(Snapshot(), done);
}

}  // namespace
}  // namespace geoekm::testing
