// Wrap through the router: only verified copies of a version every vault
// holds, rogue vaults quarantined, the key version recorded before the
// wrapped bytes are returned.
#include "core/error_codes.h"
#include "tests/router/router_fixture.h"

namespace geoekm::testing {
namespace {

using std::chrono::milliseconds;

class WrapTest : public RouterFixture {
 protected:
  bool Quarantined(const std::string& vault) const {
    return router_->HealthOf(vault) == VaultHealthState::kQuarantined;
  }
  // v0 holds other material; the trusted material (history or pin) decides.
  void ExpectRoguePrimaryOverruled() {
    auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ(w->vault, "v1");
    EXPECT_EQ(w->thumbprint, GoodKey()->Thumbprint());
    EXPECT_TRUE(Quarantined("v0"));
    EXPECT_TRUE(ReportedMismatch("v0"));
    EXPECT_EQ(vault(0).wraps(), 0);
  }
  bool ReportedMismatch(const std::string& vault) const {
    bool health = false, copy = false;
    for (const auto& e : events_->health())
      health |= e.vault == vault && e.to == VaultHealthState::kQuarantined && e.error_code == codes::kKeyMaterialMismatch;
    for (const auto& e : events_->copies()) copy |= e.vault == vault && e.finding == KeyCopyFinding::kMismatch;
    return health && copy;
  }
};

TEST_F(WrapTest, WrapsThroughPrimaryAndRecordsFirst) {
  Build(3);
  const SecureBytes dek = RandomDek();
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v0");
  EXPECT_EQ(w->thumbprint, GoodKey()->Thumbprint());
  EXPECT_EQ(w->version, version(0));
  ASSERT_EQ(recorder_->records().size(), 1u);
  EXPECT_EQ(recorder_->records()[0], std::make_pair(std::string("v0"), GoodKey()->Thumbprint()));
  // Any vault unwraps it (same material).
  auto plain = GoodKey()->Decrypt(WrapAlgorithm::kRsaOaep256, w->wrapped);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, dek);
  auto back = router_->Unwrap(Request(w->wrapped), Soon());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, dek);
}

TEST_F(WrapTest, FailsOverToNextVerifiedVault) {
  Build(2);
  vault(0).Fail(FakeOp::kWrap, VaultFailure(ErrorClass::kForbidden));
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v1");
  EXPECT_EQ(w->version, version(1));  // v1's own version id for the same thumbprint
  ASSERT_EQ(recorder_->records().size(), 1u);
  EXPECT_EQ(recorder_->records()[0].first, "v1");
}

TEST_F(WrapTest, SilentVaultFailsOverAfterTryTimeout) {
  Build(2, [](RouterOptions& o) { o.tuning.try_timeout = milliseconds(200); });
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());
  vault(0).SetBlackhole(true);
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(std::chrono::seconds(30)));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v1");
}

TEST_F(WrapTest, SilentVaultIsEscapedByAHedgedWrapWellBeforeTryTimeout) {
  // try_timeout stays at 10 s: only hedging can make this quick.
  Build(2, [](RouterOptions& o) {
    o.tuning.hedge_delay_floor = milliseconds(20);
    o.tuning.hedge_delay_cap = milliseconds(100);
  });
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());  // copies verified
  vault(0).SetBlackhole(true);
  const SecureBytes dek = RandomDek();
  const auto started = Clock::now();
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, dek, Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v1");
  EXPECT_EQ(w->version, version(1));
  EXPECT_LT(took, milliseconds(3000)) << "the wrap waited for the silent vault";
  EXPECT_GE(router_->stats().hedge_wins, 1u);
  // Recorded for the vault that answered, before it was returned.
  ASSERT_EQ(recorder_->records().size(), 2u);
  EXPECT_EQ(recorder_->records().back().first, "v1");
  auto plain = GoodKey()->Decrypt(WrapAlgorithm::kRsaOaep256, w->wrapped);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, dek);
  vault(0).ReleaseAll();
}

TEST_F(WrapTest, ExpiredCurrentVersionIsReadAgainWithoutWaitingForASilentVault) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedge_delay_floor = milliseconds(20);
    o.tuning.hedge_delay_cap = milliseconds(100);
  });
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());
  vault(0).SetBlackhole(true);
  clock_.Advance(std::chrono::seconds(31));  // past current_version_ttl, within verification_ttl
  const auto started = Clock::now();
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v1");
  EXPECT_EQ(w->thumbprint, GoodKey()->Thumbprint());
  EXPECT_LT(took, milliseconds(3000)) << "reading the current version waited for the silent vault";
  vault(0).ReleaseAll();
}

TEST_F(WrapTest, WithHedgingOffASilentVaultCostsTheTryTimeout) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedging_enabled = false;
    o.tuning.try_timeout = milliseconds(300);
  });
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());
  vault(0).SetBlackhole(true);
  const auto started = Clock::now();
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v1");
  EXPECT_GE(took, milliseconds(250));  // no hedge: the attempt timed out first
  EXPECT_EQ(router_->stats().hedges, 0u);
  vault(0).ReleaseAll();
}

TEST_F(WrapTest, SilentVaultWithUnknownCopyRefusesQuickly) {
  Build(2, [](RouterOptions& o) { o.tuning.try_timeout = milliseconds(200); });
  vault(1).SetBlackhole(true);
  const auto started = Clock::now();
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(std::chrono::seconds(30)));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere);
  EXPECT_LT(took, milliseconds(5000));
}

TEST_F(WrapTest, RecorderFailureFailsTheWrap) {
  Build(2);
  recorder_->FailWith(Status(codes::kStateStoreError, ErrorClass::kInternal, "disk I/O error"));
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kStateStoreError);
  EXPECT_EQ(vault(0).wraps(), 1);  // it was wrapped, but the bytes were not handed out
  EXPECT_EQ(router_->stats().recorder_failures, 1u);
  EXPECT_EQ(router_->stats().wrap_failures, 1u);
}

TEST_F(WrapTest, NoRecorderNoWrap) {
  Build(2, [](RouterOptions& o) { o.recorder = nullptr; });
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kStateStoreError);
  EXPECT_EQ(vault(0).wraps() + vault(1).wraps(), 0);
}

// With no recorded history and no pin, nothing says which material is the
// key: a vault holding other material is not outvoted (not by priority, not
// by a majority) — wraps are refused, naming every vault and what it holds,
// and nobody is quarantined. Unwraps by thumbprint go on.
void ExpectRefusedWithoutVerdict(VaultRouter& router, int vaults) {
  auto w = router.Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(std::chrono::seconds(20)));
  ASSERT_FALSE(w.ok()) << "wrapped although the vaults disagree";
  EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere);
  const std::string& m = w.status().message();
  for (int i = 0; i < vaults; ++i) {
    EXPECT_NE(m.find("v" + std::to_string(i) + ": "), std::string::npos) << m;
    EXPECT_EQ(router.HealthOf("v" + std::to_string(i)), VaultHealthState::kHealthy) << "v" << i;
  }
  EXPECT_NE(m.find(GoodKey()->Thumbprint().substr(0, 12)), std::string::npos) << m;
  EXPECT_NE(m.find(RogueKey()->Thumbprint().substr(0, 12)), std::string::npos) << m;
  EXPECT_NE(m.find("geoekm check"), std::string::npos) << m;
  EXPECT_NE(m.find("pinned_thumbprints = tde:"), std::string::npos) << m;
  EXPECT_EQ(router.stats().quarantines, 0u);
}

TEST_F(WrapTest, RoguePrimaryWithoutHistoryOrPinRefusesWrapsAndQuarantinesNobody) {
  Build(3, {}, {RogueKey(), GoodKey(), GoodKey()});
  ExpectRefusedWithoutVerdict(*router_, 3);
  EXPECT_EQ(vault(0).wraps() + vault(1).wraps() + vault(2).wraps(), 0);
  EXPECT_TRUE(recorder_->records().empty());
  // Unwraps name their material: the honest vaults serve it.
  const SecureBytes dek = RandomDek();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  EXPECT_EQ(vault(0).unwraps(), 0);
}

TEST_F(WrapTest, RogueSecondaryWithoutHistoryOrPinRefusesWrapsAndQuarantinesNobody) {
  Build(3, {}, {GoodKey(), RogueKey(), GoodKey()});
  ExpectRefusedWithoutVerdict(*router_, 3);
  EXPECT_EQ(vault(0).wraps() + vault(1).wraps() + vault(2).wraps(), 0);
}

TEST_F(WrapTest, TwoVaultsAgainstOneDoNotDecideEither) {
  // Two vaults (the preferred ones) share rogue material, one holds the key.
  Build(3, {}, {RogueKey(), RogueKey(), GoodKey()});
  ExpectRefusedWithoutVerdict(*router_, 3);
  EXPECT_EQ(vault(0).wraps() + vault(1).wraps() + vault(2).wraps(), 0);
}

TEST_F(WrapTest, OneVaultLeftOfTwoDoesNotDecide) {
  // v1's material changed under its version id (a verdict on v1 itself:
  // quarantined); v0 alone must not become the key's only witness.
  Build(2);
  ASSERT_TRUE(router_->Locate(kKey, GoodKey()->Thumbprint(), Soon()).ok());
  vault(1).ReplaceMaterial(kKey, version(1), RogueKey());
  vault(0).Fail(FakeOp::kGetKey, VaultFailure(ErrorClass::kTransient));
  (void)router_->CurrentVersion(kKey, Soon());  // read from v1
  ASSERT_TRUE(Quarantined("v1"));
  vault(0).Fail(FakeOp::kGetKey, std::nullopt);
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere);
  EXPECT_NE(w.status().message().find("fewer than two vaults hold"), std::string::npos) << w.status().message();
  EXPECT_EQ(vault(0).wraps(), 0);
}

// A version named by thumbprint (the engine's Encrypt with an old key)
// that some vault lacks is refused as "the requested version", not as the
// current one: the current version is another.
TEST_F(WrapTest, ARequestedVersionSomeVaultLacksIsNamedAsRequested) {
  Build(2);
  vault(0).AddVersion(kKey, RotatedKey());
  auto w = router_->WrapVersion(kKey, RotatedKey()->Thumbprint(), WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere);
  const std::string& m = w.status().message();
  EXPECT_NE(m.find("the requested version " + RotatedKey()->Thumbprint()), std::string::npos) << m;
  EXPECT_EQ(m.find("current version " + RotatedKey()->Thumbprint()), std::string::npos) << m;
  EXPECT_EQ(vault(0).wraps() + vault(1).wraps(), 0);
}

TEST_F(WrapTest, SingleVaultSetTrustsItsVault) {
  Build(1);
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v0");
}

TEST_F(WrapTest, PinnedThumbprintQuarantinesTheRogueVaultWhichIsNeverUsed) {
  Build(3, [](RouterOptions& o) { o.pinned_thumbprints = {{kKey, GoodKey()->Thumbprint()}}; },
        {GoodKey(), RogueKey(), GoodKey()});
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v0");
  EXPECT_EQ(w->thumbprint, GoodKey()->Thumbprint());
  EXPECT_TRUE(Quarantined("v1"));
  EXPECT_TRUE(ReportedMismatch("v1"));
  EXPECT_EQ(router_->stats().quarantines, 1u);
  // Even with the primary down, the rogue vault is not used for anything.
  vault(0).FailAll(VaultFailure(ErrorClass::kTransient));
  const SecureBytes dek = RandomDek();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
  auto w2 = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w2.ok()) << w2.status().ToString();
  EXPECT_EQ(w2->vault, "v2");
  EXPECT_EQ(vault(1).wraps(), 0);
  EXPECT_EQ(vault(1).unwraps(), 0);
}

TEST_F(WrapTest, PinnedThumbprintOverrulesARoguePrimary) {
  Build(3, [](RouterOptions& o) { o.pinned_thumbprints = {{"TDE", GoodKey()->Thumbprint()}}; },
        {RogueKey(), GoodKey(), GoodKey()});
  ExpectRoguePrimaryOverruled();
}

TEST_F(WrapTest, PinnedThumbprintNoVaultHoldsRefusesWrapsAndQuarantinesNobody) {
  Build(3, [](RouterOptions& o) { o.pinned_thumbprints = {{kKey, RotatedKey()->Thumbprint()}}; });
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere);
  const std::string& m = w.status().message();
  EXPECT_NE(m.find("no vault holds the pinned thumbprint " + RotatedKey()->Thumbprint()), std::string::npos) << m;
  EXPECT_NE(m.find("v2: does not hold it, current " + GoodKey()->Thumbprint().substr(0, 12)), std::string::npos) << m;
  EXPECT_NE(m.find("pinned_thumbprints"), std::string::npos) << m;
  EXPECT_EQ(vault(0).wraps() + vault(1).wraps() + vault(2).wraps(), 0);
  EXPECT_EQ(router_->stats().quarantines, 0u);
  // A wrong pin does not stop unwraps.
  const SecureBytes dek = RandomDek();
  auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, dek);
}

TEST_F(WrapTest, RoguePrimaryIsJudgedAgainstTheRecordedHistory) {
  recorder_->SetHistory({GoodKey()->Thumbprint()});
  Build(3, {}, {RogueKey(), GoodKey(), GoodKey()});
  ExpectRoguePrimaryOverruled();
}

TEST_F(WrapTest, VersionHeldByOnlySomeVaultsIsNeverUsed) {
  Build(3);
  vault(0).AddVersion(kKey, RotatedKey());  // rotated in the primary only
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere);
  EXPECT_NE(w.status().message().find("v1: does not hold it"), std::string::npos) << w.status().message();
  EXPECT_EQ(vault(0).wraps() + vault(1).wraps() + vault(2).wraps(), 0);
  EXPECT_FALSE(Quarantined("v1"));  // an older common version: behind, not rogue
  EXPECT_EQ(router_->stats().version_not_everywhere, 1u);

  // Replicated (BYOK import: new version ids, same material): wraps use it.
  vault(1).AddVersion(kKey, RotatedKey());
  vault(2).AddVersion(kKey, RotatedKey());
  clock_.Advance(std::chrono::seconds(6));  // past relist_interval
  auto w2 = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w2.ok()) << w2.status().ToString();
  EXPECT_EQ(w2->thumbprint, RotatedKey()->Thumbprint());
}

TEST_F(WrapTest, ARotationMadeElsewhereIsWrappedWithOnceCurrentWithoutWaitingForARelist) {
  // Another process (geoekm rotate, an availability group's other node)
  // imports new material into every vault, the primary last, shortly after
  // this router listed them: when its current version expires it moves to
  // the new version at once, not after relist_interval of 5008s.
  Build(3, [](RouterOptions& o) { o.current_version_ttl = std::chrono::seconds(2); });
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->thumbprint, GoodKey()->Thumbprint());
  for (int i = 2; i >= 0; --i) vault(i).AddVersion(kKey, RotatedKey());
  clock_.Advance(std::chrono::seconds(3));  // past the current-version TTL, within relist_interval
  auto w2 = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w2.ok()) << w2.status().ToString();
  EXPECT_EQ(w2->thumbprint, RotatedKey()->Thumbprint());
  EXPECT_EQ(router_->stats().version_not_everywhere, 0u);
}

TEST_F(WrapTest, UnreachableVaultWithUnknownCopyBlocksWrap) {
  Build(2);
  vault(1).FailAll(VaultFailure(ErrorClass::kTransient));
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere);
  EXPECT_EQ(w.status().error_class(), ErrorClass::kTransient);
  EXPECT_EQ(vault(0).wraps(), 0);
  // Once the copy was seen, an outage of that vault does not block wraps.
  vault(1).FailAll(std::nullopt);
  clock_.Advance(std::chrono::seconds(6));
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());
  vault(1).FailAll(VaultFailure(ErrorClass::kTransient));
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());
}

TEST_F(WrapTest, CopyIsReverifiedAfterTtlAndChangedMaterialQuarantines) {
  Build(2);
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());
  const int reads_before = vault(0).calls(FakeOp::kGetKey);
  ASSERT_TRUE(router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok());
  EXPECT_EQ(vault(0).calls(FakeOp::kGetKey), reads_before);  // still verified: no extra read

  // The primary's version now holds other material (a replaced vault).
  vault(0).ReplaceMaterial(kKey, version(0), RogueKey());
  clock_.Advance(std::chrono::seconds(301));  // past verification_ttl
  auto w = router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "v1");
  EXPECT_TRUE(Quarantined("v0"));
  EXPECT_TRUE(ReportedMismatch("v0"));
  EXPECT_EQ(vault(0).wraps(), 2);  // the two wraps before the change only
}

TEST_F(WrapTest, CurrentVersionAndLocate) {
  Build(3);
  auto cur = router_->CurrentVersion(kKey, Soon());
  ASSERT_TRUE(cur.ok()) << cur.status().ToString();
  EXPECT_EQ(cur->thumbprint, GoodKey()->Thumbprint());
  vault(0).AddVersion(kKey, RotatedKey());
  const std::string rotated_in_v1 = vault(1).AddVersion(kKey, RotatedKey());
  clock_.Advance(std::chrono::seconds(6));  // v0 was listed by CurrentVersion: past relist_interval
  auto loc = router_->Locate(kKey, RotatedKey()->Thumbprint(), Soon());
  ASSERT_TRUE(loc.ok());
  ASSERT_EQ(loc->held_by.size(), 2u);
  EXPECT_EQ(loc->held_by[1].vault, "v1");
  EXPECT_EQ(loc->held_by[1].version, rotated_in_v1);
  EXPECT_EQ(loc->missing_in, std::vector<std::string>{"v2"});
  EXPECT_TRUE(loc->unknown_in.empty());
}

}  // namespace
}  // namespace geoekm::testing
