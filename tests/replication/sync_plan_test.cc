// PlanSync on hand-made inventories (no vaults): which action each missing
// version gets, and that every vault ends with the set's current version as
// its newest (an older import, or a rogue version, is followed by one more
// import of the current material).
#include "replication/sync_plan.h"

#include <gtest/gtest.h>

namespace geoekm {
namespace {

VaultHoldings Vault(const std::string& name, const std::string& geography,
                    const std::vector<std::string>& thumbprints_oldest_first) {
  VaultHoldings h;
  h.vault.name = name;
  h.vault.geography = geography;
  std::int64_t created = 1000;
  for (const std::string& t : thumbprints_oldest_first) {
    VersionCopy c;
    c.version = name + "-" + t;
    c.thumbprint = t;
    c.thumbprint_source = ThumbprintSource::kRecomputed;
    c.attributes.created = created++;
    h.versions.push_back(c);
  }
  if (!h.versions.empty()) h.latest_version = h.versions.back().version;
  return h;
}

KeyInventory Inventory(std::vector<VaultHoldings> vaults, const std::vector<std::string>& history) {
  KeyInventory inv;
  inv.key_name = "tde";
  inv.vaults = std::move(vaults);
  for (const std::string& t : history) {
    HistoricVersion h;
    h.version.thumbprint = t;
    h.version.key_name = "tde";
    inv.history.push_back(h);
  }
  return inv;
}

std::string Row(const SyncStep& s) {
  return s.vault + " " + std::string(SyncActionName(s.action)) + " " + s.thumbprints.front() +
         (s.source_vault.empty() ? "" : " from " + s.source_vault);
}

std::vector<std::string> Rows(const SyncPlan& plan) {
  std::vector<std::string> out;
  for (const SyncStep& s : plan.steps) out.push_back(Row(s));
  return out;
}

TEST(SyncPlan, AnEmptySameGeographyVaultIsRestoredWithEveryVersion) {
  auto inv = Inventory({Vault("eastus", "US", {"T1", "T2"}), Vault("westus", "US", {}),
                        Vault("japaneast", "JP", {"T1", "T2"})},
                       {"T1", "T2"});
  SyncPlan plan = PlanSync(inv, std::nullopt);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(Row(plan.steps[0]), "westus restore-from-backup T1 from eastus");
  EXPECT_EQ(plan.steps[0].thumbprints, (std::vector<std::string>{"T1", "T2"}));
}

TEST(SyncPlan, AnOldVersionImportedIsFollowedByTheCurrentOnceMore) {
  auto inv = Inventory({Vault("eastus", "US", {"T1", "T2"}), Vault("westus", "US", {"T1", "T2"}),
                        Vault("japaneast", "JP", {"T2"})},
                       {"T1", "T2"});
  SyncPlan with_old = PlanSync(inv, std::string("T1"));
  EXPECT_EQ(Rows(with_old), (std::vector<std::string>{"japaneast import-from-escrow T1",
                                                       "japaneast needs-escrow T2"}));
  EXPECT_NE(with_old.steps[1].reason.find("imported once more so it is the newest again"), std::string::npos);
  // Once T1 is there (newest), the current escrow makes T2 the newest again.
  auto after = Inventory({Vault("eastus", "US", {"T1", "T2"}), Vault("westus", "US", {"T1", "T2"}),
                          Vault("japaneast", "JP", {"T2", "T1"})},
                         {"T1", "T2"});
  EXPECT_EQ(Rows(PlanSync(after, std::string("T2"))),
            (std::vector<std::string>{"japaneast import-from-escrow T2"}));
  // And then nothing is left.
  auto done = Inventory({Vault("eastus", "US", {"T1", "T2"}), Vault("westus", "US", {"T1", "T2"}),
                         Vault("japaneast", "JP", {"T2", "T1", "T2"})},
                        {"T1", "T2"});
  EXPECT_TRUE(PlanSync(done, std::string("T2")).nothing_to_do());
}

TEST(SyncPlan, ARogueNewestVersionIsNeverCopiedAndTheCurrentIsMadeNewestAgain) {
  auto inv = Inventory({Vault("eastus", "US", {"T1"}), Vault("westus", "US", {"T1"}),
                        Vault("japaneast", "JP", {"T1", "ROGUE"})},
                       {"T1"});
  EXPECT_EQ(Rows(PlanSync(inv, std::nullopt)), (std::vector<std::string>{"japaneast needs-escrow T1"}));
  EXPECT_EQ(Rows(PlanSync(inv, std::string("T1"))), (std::vector<std::string>{"japaneast import-from-escrow T1"}));
  EXPECT_EQ(Rows(PlanSync(inv, std::string("ROGUE"))), (std::vector<std::string>{"japaneast needs-escrow T1"}));
}

TEST(SyncPlan, UnreadableAndSoftDeletedVaultsAreBlocked) {
  auto unreadable = Vault("westus", "US", {});
  unreadable.status = Status(3004, ErrorClass::kTransient, "connection refused");
  auto deleted = Vault("japaneast", "JP", {});
  deleted.deleted = DeletedKeyBundle{};
  auto inv = Inventory({Vault("eastus", "US", {"T1"}), unreadable, deleted}, {"T1"});
  SyncPlan plan = PlanSync(inv, std::string("T1"));
  EXPECT_EQ(Rows(plan), (std::vector<std::string>{"westus blocked T1", "japaneast blocked T1"}));
  EXPECT_NE(plan.steps[1].reason.find("soft-deleted"), std::string::npos);
  EXPECT_NE(plan.steps[1].reason.find("never recovers, purges or deletes"), std::string::npos);
}

}  // namespace
}  // namespace geoekm
