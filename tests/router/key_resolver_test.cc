// KeyResolver and VaultSet on their own, without a VaultRouter: the resolver
// reads keys only through the race it is given (KeyResolver::GetKeyRace),
// caches the current version, and quarantines a vault whose material the
// trusted history does not know.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/error_codes.h"
#include "tests/router/fake_key_vault.h"
#include "tests/router/router_fixture.h"
#include "tests/router/router_test_support.h"
#include "vault_router/key_resolver.h"
#include "vault_router/vault_set.h"

namespace geoekm::testing {
namespace {

class KeyResolverTest : public ::testing::Test {
 protected:
  // Vault i ("v<i>", priority i) holds material[i] under kKey.
  void Build(const std::vector<std::shared_ptr<const TestRsaKey>>& material) {
    std::vector<RoutedVault> routed;
    for (std::size_t i = 0; i < material.size(); ++i) {
      auto v = std::make_shared<FakeKeyVault>("v" + std::to_string(i));
      v->AddVersion(kKey, material[i]);
      fakes_.push_back(v);
      routed.push_back(RoutedVault{v->vault_name(), static_cast<int>(i), v, v->vault_name() + ".vault.test", 443});
    }
    RouterOptions o;
    o.observer = events_;
    o.recorder = recorder_;
    o.clock = [this] { return clock_.Now(); };
    o.background_probing = false;
    vaults_ = std::make_unique<VaultSet>(std::move(routed), std::move(o));
    // The race, sequential: each candidate in turn until one answers.
    resolver_ = std::make_unique<KeyResolver>(
        *vaults_, [this](const std::string& name, const std::string& version, std::vector<std::size_t> candidates,
                         Deadline deadline, std::string* tried) -> Result<std::pair<std::size_t, KeyBundle>> {
          ++races_;
          raced_candidates_ = candidates;
          for (std::size_t v : candidates) {
            Result<KeyBundle> b = resolver_->FetchKey(v, name, version, deadline);
            if (b.ok()) return std::make_pair(v, std::move(b).value());
            *tried += vaults_->name(v) + ": failed; ";
          }
          return Status(codes::kNoUsableVault, ErrorClass::kTransient, "no vault answered");
        });
  }
  static Deadline Soon() { return Deadline::After(std::chrono::seconds(20)); }

  FakeClock clock_;
  std::shared_ptr<EventLog> events_ = std::make_shared<EventLog>();
  std::shared_ptr<MemoryRecorder> recorder_ = std::make_shared<MemoryRecorder>();
  std::vector<std::shared_ptr<FakeKeyVault>> fakes_;
  std::unique_ptr<VaultSet> vaults_;
  std::unique_ptr<KeyResolver> resolver_;
  std::atomic<int> races_{0};
  std::vector<std::size_t> raced_candidates_;
};

TEST_F(KeyResolverTest, ReadsTheCurrentVersionThroughTheGivenRaceAndCachesIt) {
  Build({GoodKey(), GoodKey()});
  fakes_[0]->Fail(FakeOp::kGetKey, VaultFailure(ErrorClass::kTransient));

  Result<KeyBundle> current = resolver_->CurrentVersion(kKey, Soon());
  ASSERT_TRUE(current.ok()) << current.status().message();
  EXPECT_EQ(current->thumbprint, GoodKey()->Thumbprint());
  EXPECT_EQ(races_.load(), 1);
  EXPECT_EQ(raced_candidates_, (std::vector<std::size_t>{0, 1}));  // ranked: priority order
  EXPECT_EQ(fakes_[1]->calls(FakeOp::kList), 1);  // the answering vault's listing, read once

  // Within current_version_ttl the cache answers: no second race.
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(resolver_->CurrentVersion(kKey, Soon()).ok());
  EXPECT_EQ(races_.load(), 1);
  // Past it, the race runs again.
  clock_.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(resolver_->CurrentVersion(kKey, Soon()).ok());
  EXPECT_EQ(races_.load(), 2);
  // v1's current version read once per race; its listing found nothing new.
  EXPECT_EQ(vaults_->CountersSnapshot().verifications, 2u);
}

TEST_F(KeyResolverTest, QuarantinesAVaultWhoseVersionsTheRecordedHistoryDoesNotKnow) {
  recorder_->SetHistory({GoodKey()->Thumbprint()});
  Build({GoodKey(), RogueKey()});

  Result<LocatedKeyVersion> located = resolver_->Locate(kKey, GoodKey()->Thumbprint(), Soon());
  ASSERT_TRUE(located.ok()) << located.status().message();
  ASSERT_EQ(located->held_by.size(), 1u);
  EXPECT_EQ(located->held_by[0].vault, "v0");
  EXPECT_EQ(located->quarantined, (std::vector<std::string>{"v1"}));
  EXPECT_TRUE(vaults_->Quarantined(1));
  EXPECT_EQ(vaults_->Ranked(), (std::vector<std::size_t>{0}));
  EXPECT_EQ(vaults_->CountersSnapshot().quarantines, 1u);
  EXPECT_EQ(resolver_->LocateIn(1, kKey, GoodKey()->Thumbprint(), Soon()).status().code(),
            codes::kKeyMaterialMismatch);

  // Without history or pin nothing is trusted: the version is refused, and
  // no vault is quarantined by another's listing.
  recorder_->SetHistory({});
  Build({GoodKey(), RogueKey()});
  Status refused = resolver_->CheckWrapVersion(kKey, GoodKey()->Thumbprint(), true, Soon());
  EXPECT_EQ(refused.code(), codes::kVersionNotEverywhere);
  EXPECT_FALSE(vaults_->Quarantined(1));
  EXPECT_EQ(races_.load(), 0);  // a known thumbprint needs no key read race
}

}  // namespace
}  // namespace geoekm::testing
