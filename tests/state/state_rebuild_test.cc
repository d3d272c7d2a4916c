// StateStore::Rebuild: key history reconstructed from the vaults' listings.
#include <algorithm>
#include <filesystem>
#include <set>

#include "core/error_codes.h"
#include "state_test_support.h"

namespace geoekm {
namespace {

using state_test::FakeClock;
using state_test::InVault;
using state_test::MakeBundle;
using state_test::OpenOrDie;
using state_test::TempDir;
using state_test::TwoVaults;

VaultKeyListing Listing(const VaultRecord& vault, std::vector<KeyBundle> versions) {
  return VaultKeyListing{vault, true, std::move(versions), Status::Ok()};
}

std::set<std::string> Thumbprints(const std::vector<KeyVersionRecord>& history) {
  std::set<std::string> out;
  for (const auto& r : history) out.insert(r.thumbprint);
  return out;
}

TEST(StateRebuild, LostStoreIsRebuiltFromTheVaultsAndSaysWhatIsUnknown) {
  TempDir dir;
  FakeClock clock;
  const auto vaults = TwoVaults();
  const KeyBundle v1 = MakeBundle("tde", 1, "v1", 1'700'000'000);
  const KeyBundle v2 = MakeBundle("tde", 2, "v1", 1'710'000'000);
  const KeyBundle v3 = MakeBundle("tde", 3, "v1", 1'720'000'000);

  // The original store: three versions used for wraps.
  std::vector<KeyVersionRecord> original;
  {
    auto store = OpenOrDie({.path = dir.File("state.db"), .clock = clock.fn()});
    ASSERT_TRUE(store->UpsertVaults(vaults).ok());
    for (const auto& v : {v1, v2, v3}) ASSERT_TRUE(store->RecordWrapKeyVersion("eastus", v).ok());
    auto h = store->KeyHistory("tde");
    ASSERT_TRUE(h.ok());
    original = *h;
  }
  ASSERT_TRUE(std::filesystem::remove(dir.File("state.db")));
  std::filesystem::remove(dir.File("state.db-wal"));
  std::filesystem::remove(dir.File("state.db-shm"));

  // eastus still holds all three; westus lost v2 (BYOK import gave other ids);
  // a third vault could not be read; eastus also returns a corrupted bundle.
  KeyBundle corrupted = MakeBundle("tde", 4);
  corrupted.thumbprint = v1.thumbprint;
  VaultRecord unreachable{"japaneast", "https://v3.vault.azure.net", "japaneast", "JP", 3, {}, {}};
  clock.Advance(1000);
  auto store = OpenOrDie({.path = dir.File("state.db"), .clock = clock.fn()});
  ASSERT_NE(store, nullptr);
  auto report = store->Rebuild({Listing(vaults[0], {v1, v2, v3, corrupted}),
                                Listing(vaults[1], {InVault(v1, "v2", 101), InVault(v3, "v2", 103)}),
                                VaultKeyListing{unreachable, false, {},
                                                Status(codes::kHttpConnectSession, ErrorClass::kTransient,
                                                       "cannot connect")}});
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  EXPECT_EQ(report->versions_added, 3);
  EXPECT_EQ(report->versions_already_known, 0);
  EXPECT_EQ(report->copies_verified, 5);
  EXPECT_EQ(report->copies_marked_missing, 1);
  ASSERT_EQ(report->vaults_not_read.size(), 1u);
  EXPECT_EQ(report->vaults_not_read[0].vault, "japaneast");
  EXPECT_EQ(report->vaults_not_read[0].reason.code(), codes::kHttpConnectSession);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].kid, corrupted.kid);
  EXPECT_EQ(std::set<std::string>(report->versions_without_wrap_history.begin(),
                                  report->versions_without_wrap_history.end()),
            Thumbprints(original));
  EXPECT_GE(report->unknowns.size(), 4u);  // wrap history, unread vault, rejected bundle, vanished versions, lost audit
  EXPECT_NE(std::find_if(report->unknowns.begin(), report->unknowns.end(),
                         [](const std::string& u) {
                           return u.find("vault japaneast could not be read (error 3004") != std::string::npos &&
                                  u.find("cannot connect") != std::string::npos;
                         }),
            report->unknowns.end());

  // Same history as before (order by creation), wrap times unknown.
  auto rebuilt = store->KeyHistory("tde");
  ASSERT_TRUE(rebuilt.ok());
  ASSERT_EQ(rebuilt->size(), original.size());
  for (std::size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ((*rebuilt)[i].thumbprint, original[i].thumbprint);
    EXPECT_EQ((*rebuilt)[i].created, original[i].created);
    EXPECT_EQ((*rebuilt)[i].n, original[i].n);
    EXPECT_FALSE((*rebuilt)[i].first_wrap_ms.has_value());
    EXPECT_FALSE((*rebuilt)[i].last_wrap_ms.has_value());
  }

  // westus: v2 missing; japaneast: everything unchecked.
  auto missing = store->MissingVersions("tde");
  ASSERT_TRUE(missing.ok());
  std::vector<std::string> west;
  int japan = 0;
  for (const auto& m : *missing) {
    if (m.vault == "westus") {
      west.push_back(m.thumbprint);
      EXPECT_EQ(m.copy_status, CopyStatus::kMissing);
    }
    if (m.vault == "japaneast") ++japan;
    EXPECT_NE(m.vault, "eastus");
  }
  EXPECT_EQ(west, std::vector<std::string>{v2.thumbprint});
  EXPECT_EQ(japan, 3);

  auto west_copies = store->CopiesInVault("westus");
  ASSERT_TRUE(west_copies.ok());
  ASSERT_EQ(west_copies->size(), 3u);
  EXPECT_EQ((*west_copies)[0].kid, InVault(v1, "v2", 101).kid);
  EXPECT_EQ((*west_copies)[0].status, CopyStatus::kVerified);
}

TEST(StateRebuild, RebuildIntoAnExistingStoreNeverRewritesHistory) {
  TempDir dir;
  FakeClock clock;
  const auto vaults = TwoVaults();
  const KeyBundle v1 = MakeBundle("tde", 1);
  const KeyBundle v2 = MakeBundle("tde", 2);
  auto store = OpenOrDie({.path = dir.File("state.db"), .clock = clock.fn()});
  ASSERT_TRUE(store->UpsertVaults(vaults).ok());
  const std::int64_t wrapped_at = clock.now_ms->load();
  ASSERT_TRUE(store->RecordWrapKeyVersion("eastus", v1).ok());
  clock.Advance(5000);

  auto report = store->Rebuild({Listing(vaults[0], {v1, v2}), Listing(vaults[1], {InVault(v1, "v2", 7)})});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->versions_added, 1);
  EXPECT_EQ(report->versions_already_known, 1);
  EXPECT_EQ(report->versions_without_wrap_history, std::vector<std::string>{v2.thumbprint});

  auto kept = store->FindKeyVersion(v1.thumbprint);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->first_wrap_ms, wrapped_at);
  EXPECT_EQ((*kept)->first_seen_ms, wrapped_at);

  // Wrapping after the rebuild works and records the copy (fast-path caches reset).
  ASSERT_TRUE(store->RecordWrapKeyVersion("eastus", v2).ok());
  auto now_wrapped = store->FindKeyVersion(v2.thumbprint);
  ASSERT_TRUE(now_wrapped.ok() && now_wrapped->has_value());
  EXPECT_EQ((*now_wrapped)->first_wrap_ms, clock.now_ms->load());
}

TEST(StateRebuild, EmptyVaultNameIsRefusedAndNothingChanges) {
  TempDir dir;
  auto store = OpenOrDie({.path = dir.File("state.db")});
  auto report = store->Rebuild({Listing(VaultRecord{}, {MakeBundle("tde", 1)})});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), codes::kStateStoreError);
  auto history = store->KeyHistory("tde");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
}

}  // namespace
}  // namespace geoekm
