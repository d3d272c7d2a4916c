// The router over real vault clients and a real testbed, for the failover
// acceptance items that need many callers or odd vault contents:
// coalescing of identical unwraps, spreading of distinct ones, and a rogue
// vault holding other material under the key name.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "config/config_loader.h"
#include "core/error_codes.h"
#include "provider/runtime/vault_set_runtime.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"
#include "vault_router/client/key_vault_client.h"

namespace geoekm {
namespace {

Deadline Soon() { return Deadline::After(std::chrono::seconds(30)); }

testing::VaultSimAdminClient Admin(const testing::Testbed& tb, const std::string& vault) {
  const auto& v = tb.info().Vault(vault);
  return testing::VaultSimAdminClient(v.host, v.admin_port, tb.info().ca_bundle, v.admin_token);
}

std::int64_t Unwraps(const testing::Testbed& tb) {
  std::int64_t n = 0;
  for (const char* v : {"eastus", "westus", "japaneast"}) n += Admin(tb, v).RequestCount("unwrapkey");
  return n;
}

TEST(RouterOnTestbed, FiveHundredIdenticalUnwrapsShareOneVaultCallAndDistinctOnesAllSucceed) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  auto config = LoadVaultSetConfig((*tb)->info().geoekm_ini);
  ASSERT_TRUE(config.ok());
  // Hedging would add a second, deliberate call to another vault; this
  // test isolates coalescing.
  config->router.hedging_enabled = false;
  auto rt = VaultSetRuntime::Open(*config);
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  const std::string key = (*tb)->info().key_name;

  constexpr int kCallers = 500;
  std::vector<SecureBytes> deks;
  std::vector<WrappedKey> wrapped;
  for (int i = 0; i < kCallers; ++i) {
    SecureBytes dek(32, static_cast<std::uint8_t>(i));
    dek[1] = static_cast<std::uint8_t>(i >> 8);
    auto w = (*rt)->router().Wrap(key, WrapAlgorithm::kRsaOaep256, dek, Soon());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    deks.push_back(dek);
    wrapped.push_back(*w);
  }

  // Identical: one database key asked for by 500 callers at once. Slow the
  // vault a little so that they really are in flight together.
  ASSERT_TRUE(Admin(**tb, "eastus").SetLatency(300, 0, {"unwrapkey"}));
  const std::int64_t before = Unwraps(**tb);
  std::atomic<int> failures{0};
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&] {
        UnwrapRequest req{key, wrapped[0].thumbprint, "", WrapAlgorithm::kRsaOaep256, wrapped[0].wrapped};
        auto plain = (*rt)->router().Unwrap(req, Soon());
        if (!plain.ok() || *plain != deks[0]) ++failures;
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Unwraps(**tb) - before, 1) << "identical unwraps were not coalesced";
  ASSERT_TRUE(Admin(**tb, "eastus").ClearFaults());

  // Distinct: 500 different DEKs at once, none may fail.
  const std::int64_t before_distinct = Unwraps(**tb);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&, i] {
        UnwrapRequest req{key, wrapped[i].thumbprint, "", WrapAlgorithm::kRsaOaep256, wrapped[i].wrapped};
        auto plain = (*rt)->router().Unwrap(req, Soon());
        if (!plain.ok() || *plain != deks[i]) ++failures;
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(Unwraps(**tb) - before_distinct, kCallers);
}

TEST(RouterOnTestbed, RogueVaultWithOtherMaterialIsNeverUsedForWrapAndIsReported) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  auto config = LoadVaultSetConfig((*tb)->info().geoekm_ini);
  ASSERT_TRUE(config.ok());
  // A key that eastus and westus share (backup/restore), while japaneast
  // holds different material under the same name.
  const std::string rogue = "rogue-test-key";
  {
    auto auth = VaultAuthenticator::Create(config->auth);
    ASSERT_TRUE(auth.ok());
    auto make = [&](const VaultConfig& v) { return std::move(KeyVaultClient::Create(v, config->router, *auth).value()); };
    auto east = make(config->vaults[0]);
    auto west = make(config->vaults[1]);
    auto jp = make(config->vaults[2]);
    auto created = east->CreateKey(rogue, KeyCreateOptions{}, Soon());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    auto blob = east->BackupKey(rogue, Soon());
    ASSERT_TRUE(blob.ok());
    ASSERT_TRUE(west->RestoreKey(*blob, Soon()).ok());
    ASSERT_TRUE(jp->CreateKey(rogue, KeyCreateOptions{}, Soon()).ok());
  }
  config->provider.key_names = {rogue};
  config->provider.state_path = (*tb)->dir() + "/rogue-state.db";
  auto rt = VaultSetRuntime::Open(*config);
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();

  const std::int64_t jp_wraps_before = Admin(**tb, "japaneast").RequestCount("wrapkey");
  SecureBytes dek(32, 3);
  auto w = (*rt)->router().Wrap(rogue, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_NE(w->vault, "japaneast");
  // Loud: quarantined, counted, and recorded in the state store.
  EXPECT_EQ((*rt)->router().HealthOf("japaneast"), VaultHealthState::kQuarantined);
  EXPECT_GE((*rt)->router().stats().quarantines, 1u);
  auto copies = (*rt)->store().CopiesInVault("japaneast");
  ASSERT_TRUE(copies.ok());
  bool recorded = false;
  for (const auto& c : *copies) recorded = recorded || c.status == CopyStatus::kQuarantined;
  EXPECT_TRUE(recorded) << "the quarantine is not in the state store";
  auto events = (*rt)->store().HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  bool event = false;
  for (const auto& e : *events) {
    event = event || (e.transition.vault == "japaneast" && e.transition.to == RecordedHealth::kQuarantined &&
                      e.transition.error_code == codes::kKeyMaterialMismatch);
  }
  EXPECT_TRUE(event) << "no quarantine event with error 5005";

  // With the good vaults gone, geoekm refuses to wrap rather than use it.
  ASSERT_TRUE((*tb)->KillVault("eastus").ok());
  ASSERT_TRUE((*tb)->KillVault("westus").ok());
  auto refused = (*rt)->router().Wrap(rogue, WrapAlgorithm::kRsaOaep256, dek, Deadline::After(std::chrono::seconds(20)));
  EXPECT_FALSE(refused.ok()) << "wrapped through a vault holding other material";
  EXPECT_EQ(Admin(**tb, "japaneast").RequestCount("wrapkey"), jp_wraps_before);
}

}  // namespace
}  // namespace geoekm
