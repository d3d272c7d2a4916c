// TakeKeyInventory against a real testbed: what each vault holds, joined
// with the state store's history, and unreadable vaults as findings.
#include "replication/vault_inventory.h"

#include <gtest/gtest.h>

#include "core/error_codes.h"
#include "tests/replication/replication_fixture.h"

namespace geoekm {
namespace {

class VaultInventoryTest : public testing::ReplicationTestbed {};

TEST_F(VaultInventoryTest, EveryVaultsCopyHasTheTestbedThumbprintAndHistoryJoins) {
  ASSERT_TRUE(WrapOnce());
  auto before = Snapshot();
  auto inv = TakeKeyInventory(*rt_, key_);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  ASSERT_EQ(inv->vaults.size(), 3u);
  EXPECT_EQ(inv->vaults[0].vault.name, "eastus");
  for (const VaultHoldings& v : inv->vaults) {
    SCOPED_TRACE(v.vault.name);
    ASSERT_TRUE(v.readable()) << v.status.ToString();
    ASSERT_EQ(v.versions.size(), 1u);
    const VersionCopy& c = v.versions[0];
    EXPECT_EQ(c.thumbprint, info().thumbprint);
    EXPECT_EQ(c.thumbprint_source, ThumbprintSource::kRecomputed);
    EXPECT_EQ(c.key_size_bits, 2048);
    EXPECT_TRUE(c.enabled());
    EXPECT_FALSE(c.kty.empty());
    EXPECT_EQ(v.latest_version, c.version);
    EXPECT_FALSE(v.deleted.has_value());
  }
  // Same geography keeps the version id (backup/restore); the other does not (import).
  EXPECT_EQ(inv->vaults[0].versions[0].version, inv->vaults[1].versions[0].version);
  EXPECT_NE(inv->vaults[0].versions[0].version, inv->vaults[2].versions[0].version);
  ASSERT_EQ(inv->history.size(), 1u);
  EXPECT_EQ(inv->history[0].version.thumbprint, info().thumbprint);
  EXPECT_TRUE(inv->history[0].version.first_wrap_ms.has_value());
  EXPECT_EQ(inv->AllThumbprints(), std::vector<std::string>{info().thumbprint});
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(VaultInventoryTest, DisabledVersionKeepsItsThumbprintFromHistory) {
  ASSERT_TRUE(WrapOnce());
  const std::string old = info().thumbprint;
  ASSERT_FALSE(RotateEverywhere().empty());
  const std::string old_in_west = VersionIn("westus", old);
  ASSERT_FALSE(old_in_west.empty());
  ASSERT_TRUE(Admin("westus").SetKeyAttributes(key_, old_in_west, false));
  auto inv = TakeKeyInventory(*rt_, key_);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  const VaultHoldings* west = inv->Vault("westus");
  ASSERT_NE(west, nullptr);
  const VersionCopy* copy = west->FindVersion(old_in_west);
  ASSERT_NE(copy, nullptr);
  EXPECT_FALSE(copy->enabled());
  EXPECT_FALSE(copy->material_read());
  EXPECT_EQ(copy->read_status.code(), codes::kHttpForbidden) << copy->read_status.ToString();
  EXPECT_EQ(copy->thumbprint, old);
  EXPECT_EQ(copy->thumbprint_source, ThumbprintSource::kHistory);
  EXPECT_EQ(inv->history.size(), 2u);
}

TEST_F(VaultInventoryTest, UnreachableVaultIsAFindingNotAFailure) {
  ASSERT_TRUE(Open());
  ASSERT_TRUE(testbed().KillVault("westus").ok());
  auto inv = TakeKeyInventory(*rt_, key_);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  const VaultHoldings* west = inv->Vault("westus");
  ASSERT_NE(west, nullptr);
  EXPECT_FALSE(west->readable());
  EXPECT_EQ(west->status.vault(), "westus");
  EXPECT_TRUE(inv->Vault("eastus")->readable());
}

TEST_F(VaultInventoryTest, VaultSelectionAndUnknownVault) {
  ASSERT_TRUE(Open());
  InventoryOptions options;
  options.vaults = {"japaneast", "eastus"};
  auto inv = TakeKeyInventory(*rt_, key_, options);
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  ASSERT_EQ(inv->vaults.size(), 2u);
  EXPECT_EQ(inv->vaults[0].vault.name, "eastus");  // configured order
  options.vaults = {"nowhere"};
  auto bad = TakeKeyInventory(*rt_, key_, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().error_class(), ErrorClass::kInvalidInput);
  EXPECT_NE(bad.status().message().find("nowhere"), std::string::npos);
}

TEST_F(VaultInventoryTest, NameWithNoVersionsIsLookedUpAsDeleted) {
  ASSERT_TRUE(Open());
  auto inv = TakeKeyInventory(*rt_, "never-created");
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  for (const VaultHoldings& v : inv->vaults) {
    EXPECT_TRUE(v.readable()) << v.status.ToString();
    EXPECT_TRUE(v.versions.empty());
    EXPECT_FALSE(v.deleted.has_value());
    EXPECT_TRUE(v.deleted_lookup_status.ok()) << v.deleted_lookup_status.ToString();
  }
}

}  // namespace
}  // namespace geoekm
