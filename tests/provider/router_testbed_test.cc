// The router over real vault clients and a real testbed, for the failover
// acceptance items that need many callers or odd vault contents:
// coalescing of identical unwraps, spreading of distinct ones away from a
// throttling primary, and a rogue vault holding other material under the
// key name.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <latch>
#include <regex>
#include <sstream>
#include <thread>

#include "config/config_loader.h"
#include "core/error_codes.h"
#include "provider/drill/failover_drill.h"
#include "provider/drill/router_key_path.h"
#include "provider/runtime/vault_set_runtime.h"
#include "tests/support/test_private_jwk.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"
#include "keyvault/keys/key_vault_client.h"
#include "provider/runtime/key_vault_client_factory.h"
#include "tests/support/soon.h"

namespace geoekm {
namespace {

using testing::Soon;

std::int64_t Unwraps(const testing::Testbed& tb) {
  std::int64_t n = 0;
  for (const char* v : {"eastus", "westus", "japaneast"}) n += tb.Admin(v).RequestCount("unwrapkey");
  return n;
}

// One testbed and its configuration per test; the runtime is opened by the
// test once it has adjusted the configuration.
class RouterOnTestbed : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tb = testing::Testbed::Start();
    ASSERT_TRUE(tb.ok()) << tb.status().ToString();
    tb_ = std::move(tb).value();
    auto config = LoadVaultSetConfig(tb_->info().geoekm_ini);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = std::move(config).value();
    key_ = tb_->info().key_name;
  }

  ::testing::AssertionResult Open() {
    auto rt = VaultSetRuntime::Open(config_);
    if (!rt.ok()) return ::testing::AssertionFailure() << rt.status().ToString();
    rt_ = std::move(rt).value();
    return ::testing::AssertionSuccess();
  }

  // Opens the runtime and wraps `count` distinct DEKs through its router.
  ::testing::AssertionResult OpenAndWrap(int count) {
    if (auto opened = Open(); !opened) return opened;
    for (int i = 0; i < count; ++i) {
      SecureBytes dek(32, static_cast<std::uint8_t>(i));
      dek[1] = static_cast<std::uint8_t>(i >> 8);
      auto w = rt_->router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
      if (!w.ok()) return ::testing::AssertionFailure() << "wrap " << i << ": " << w.status().ToString();
      deks_.push_back(std::move(dek));
      wrapped_.push_back(std::move(w).value());
    }
    return ::testing::AssertionSuccess();
  }

  // Imports new material under `name` into the three vaults (eastus,
  // westus, japaneast in that order): vault i gets the key of letter
  // layout[i], e.g. "RHH" = eastus holds other material than the two
  // others; '-' leaves that vault alone. Returns each letter's thumbprint.
  std::map<char, std::string> ImportMaterial(const std::string& name, const std::string& layout) {
    std::map<char, std::string> thumbprints;
    auto auth = VaultAuthenticator::Create(config_.auth);
    EXPECT_TRUE(auth.ok()) << auth.status().ToString();
    if (!auth.ok()) return thumbprints;
    std::map<char, PrivateRsaJwk> keys;
    for (std::size_t i = 0; i < layout.size(); ++i) {
      if (layout[i] == '-') continue;
      if (!keys.count(layout[i])) keys.emplace(layout[i], testing::NewPrivateJwk());
      auto client = MakeKeyVaultClient(config_.vaults[i], config_.router, *auth);
      EXPECT_TRUE(client.ok()) << client.status().ToString();
      if (!client.ok()) return thumbprints;
      auto imported = (*client)->ImportKey(name, keys.at(layout[i]), false, {}, Soon());
      EXPECT_TRUE(imported.ok()) << imported.status().ToString();
      if (imported.ok()) thumbprints[layout[i]] = imported->thumbprint;
    }
    return thumbprints;
  }

  // The store shows no quarantine of any vault (copy or health event).
  ::testing::AssertionResult NothingQuarantinedInStore() {
    auto events = rt_->store().HealthEventsSince(0);
    if (!events.ok()) return ::testing::AssertionFailure() << events.status().ToString();
    for (const auto& e : *events)
      if (e.transition.to == VaultHealthState::kQuarantined)
        return ::testing::AssertionFailure() << e.transition.vault << " quarantined: " << e.transition.reason;
    for (const char* v : {"eastus", "westus", "japaneast"}) {
      auto copies = rt_->store().CopiesInVault(v);
      if (!copies.ok()) return ::testing::AssertionFailure() << copies.status().ToString();
      for (const auto& c : *copies)
        if (c.status == CopyStatus::kQuarantined) return ::testing::AssertionFailure() << v << "'s copy quarantined";
    }
    return ::testing::AssertionSuccess();
  }

  std::int64_t Wraps() const {
    std::int64_t n = 0;
    for (const char* v : {"eastus", "westus", "japaneast"}) n += tb_->Admin(v).RequestCount("wrapkey");
    return n;
  }

  UnwrapRequest RequestFor(std::size_t i) const {
    return UnwrapRequest{key_, wrapped_[i].thumbprint, "", WrapAlgorithm::kRsaOaep256, wrapped_[i].wrapped};
  }

  std::unique_ptr<testing::Testbed> tb_;
  VaultSetConfig config_;
  std::string key_;
  std::unique_ptr<VaultSetRuntime> rt_;
  std::vector<SecureBytes> deks_;
  std::vector<WrappedKey> wrapped_;
};

TEST_F(RouterOnTestbed, FiveHundredIdenticalUnwrapsShareOneVaultCall) {
  // Hedging would add a second, deliberate call to another vault; this
  // test isolates coalescing.
  config_.router.hedging_enabled = false;
  constexpr int kCallers = 500;
  ASSERT_TRUE(OpenAndWrap(kCallers));

  // Identical: one database key asked for by 500 callers at once. Slow the
  // vault so that they really are in flight together, and start them all
  // only once every thread exists: on a loaded machine creating 500 threads
  // can take longer than the vault's delay (a late caller then rightly
  // starts a second call).
  ASSERT_TRUE(tb_->Admin("eastus").SetLatency(1000, 0, {"unwrapkey"}));
  const std::int64_t before = Unwraps(*tb_);
  std::atomic<int> failures{0};
  {
    std::latch all_started(kCallers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&] {
        all_started.arrive_and_wait();
        auto plain = rt_->router().Unwrap(RequestFor(0), Soon());
        if (!plain.ok() || *plain != deks_[0]) ++failures;
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Unwraps(*tb_) - before, 1) << "identical unwraps were not coalesced";
}

// 500 distinct unwraps at once spread off a throttling primary: a vault that
// answers 429 is ranked after the others. Here eastus is restarted with a
// service limit of 5 unwraps per 10 s window (the Key Vault limit table
// scaled by 0.00125, so the first wave alone exceeds it): beyond it eastus
// answers 429, and those callers go on to the other vaults at once instead
// of queuing behind eastus's Retry-After. None fails; eastus serves no more
// than its budget. (Which of westus and japaneast takes them is not
// asserted: the callers' own attempts are not capped per vault, so westus,
// next in rank, may take them all, as a client of westus alone would.)
TEST_F(RouterOnTestbed, FiveHundredDistinctUnwrapsSpreadWhenThePrimaryThrottles) {
  // Hedging would add its own reason to leave eastus: on a loaded machine
  // the just-restarted eastus can be outrun (and ejected, 5003) before its
  // first 429 arrives, and an ejected vault's 429s change no state. This
  // test isolates throttling; hedging is covered by RouterIntegrationTest.
  config_.router.hedging_enabled = false;
  constexpr int kCallers = 500;
  ASSERT_TRUE(OpenAndWrap(kCallers));

  constexpr int kBudget = 5;
  {
    ASSERT_TRUE(tb_->KillVault("eastus").ok());
    const std::string file = tb_->info().Vault("eastus").config_file;
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    Poco::JSON::Object::Ptr vault = Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
    Poco::JSON::Object::Ptr throttling = new Poco::JSON::Object;
    throttling->set("enabled", true);
    throttling->set("window_seconds", 10);
    throttling->set("limit_scale", kBudget / 4000.0);
    vault->set("throttling", throttling);
    std::ofstream out(file, std::ios::trunc);
    vault->stringify(out);
    out.close();
    ASSERT_TRUE(out.good());
    ASSERT_TRUE(tb_->StartVault("eastus").ok());
  }

  std::int64_t before[3];
  const char* names[3] = {"eastus", "westus", "japaneast"};
  for (int v = 0; v < 3; ++v) before[v] = tb_->Admin(names[v]).RequestCount("unwrapkey");
  std::atomic<int> failures{0};
  std::atomic<long long> slowest_ms{0};
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&, i] {
        const auto start = std::chrono::steady_clock::now();
        auto plain = rt_->router().Unwrap(RequestFor(static_cast<std::size_t>(i)), Soon());
        const long long took = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - start).count();
        long long seen = slowest_ms.load();
        while (took > seen && !slowest_ms.compare_exchange_weak(seen, took)) {
        }
        if (!plain.ok() || *plain != deks_[static_cast<std::size_t>(i)]) ++failures;
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  std::int64_t served[3];
  for (int v = 0; v < 3; ++v) served[v] = tb_->Admin(names[v]).RequestCount("unwrapkey") - before[v];
  auto east_statuses = tb_->Admin("eastus").Stats()->getObject("statuses");
  ASSERT_TRUE(east_statuses);
  const std::int64_t throttled = east_statuses->optValue<std::int64_t>("429", 0);
  EXPECT_GE(throttled, 1) << "eastus never throttled: the test did not exercise shedding";
  EXPECT_LE(served[0] - throttled, kBudget) << "eastus answered more than its budget";
  EXPECT_GE(served[1] + served[2], kCallers - kBudget);
  EXPECT_GT(served[1], 0);
  EXPECT_GE(rt_->router().stats().throttled_responses, 1u);
  // No caller waited out a Retry-After (up to the 10 s window).
  EXPECT_LT(slowest_ms.load(), 5000);
  std::printf("500 distinct unwraps, eastus limited to %d: eastus %lld (%lld of them 429), westus %lld, japaneast %lld; "
              "slowest %lld ms\n",
              kBudget, static_cast<long long>(served[0]), static_cast<long long>(throttled),
              static_cast<long long>(served[1]), static_cast<long long>(served[2]), slowest_ms.load());
  // The store shows eastus throttled (suspect, 3011/429).
  auto events = rt_->store().HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  bool recorded = false;
  for (const auto& e : *events) {
    recorded = recorded || (e.transition.vault == "eastus" && e.transition.to == VaultHealthState::kSuspect &&
                            e.transition.error_code == codes::kHttpThrottled && e.transition.http_status == 429);
  }
  EXPECT_TRUE(recorded) << "the state store does not show eastus throttled";
}

// With an empty state store and no pin, nothing says which material is
// "the key": one vault (the preferred one, or any other), and even two
// against one, must not decide it. Each layout is its own key name in one
// vault set: wraps are refused with an error naming every vault and its
// thumbprint, no vault is quarantined, no vault is asked to wrap, and
// unwraps (which name their material) still work. A pin that no vault
// holds refuses wraps the same way.
TEST_F(RouterOnTestbed, WithoutHistoryOrPinNoVaultDecidesWhatTheKeyIs) {
  struct Layout {
    std::string key, material;
  };
  const std::vector<Layout> layouts = {
      {"rogue-primary", "RHH"}, {"rogue-secondary", "HRH"}, {"two-against-one", "RRH"}, {"wrong-pin", "HHH"}};
  std::map<std::string, std::map<char, std::string>> thumbprints;
  for (const Layout& l : layouts) thumbprints[l.key] = ImportMaterial(l.key, l.material);
  ASSERT_FALSE(HasFailure());
  config_.provider.key_names = {"rogue-primary", "rogue-secondary", "two-against-one", "wrong-pin"};
  const std::string absent = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";  // RFC 7638's example key
  config_.provider.pinned_thumbprints = {{"wrong-pin", absent}};
  ASSERT_TRUE(Open());

  for (const Layout& l : layouts) {
    SecureBytes dek(32, 7);
    auto w = rt_->router().Wrap(l.key, WrapAlgorithm::kRsaOaep256, dek, Soon());
    ASSERT_FALSE(w.ok()) << l.key << ": wrapped through " << w->vault << " although nothing decides the key";
    EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere) << l.key;
    const std::string& m = w.status().message();
    for (const char* v : {"eastus", "westus", "japaneast"}) EXPECT_NE(m.find(std::string(v) + ": "), std::string::npos) << m;
    for (const auto& [letter, t] : thumbprints[l.key]) EXPECT_NE(m.find(t.substr(0, 12)), std::string::npos) << m;
    EXPECT_NE(m.find("geoekm check"), std::string::npos) << m;
    EXPECT_NE(m.find("pinned_thumbprints"), std::string::npos) << m;
    if (l.key == "wrong-pin") {
      EXPECT_NE(m.find("no vault holds the pinned thumbprint " + absent), std::string::npos) << m;
    }
  }
  EXPECT_EQ(Wraps(), 0);
  for (const char* v : {"eastus", "westus", "japaneast"})
    EXPECT_EQ(rt_->router().HealthOf(v), VaultHealthState::kHealthy) << v;
  EXPECT_EQ(rt_->router().stats().quarantines, 0u);
  EXPECT_TRUE(NothingQuarantinedInStore());
  auto history = rt_->store().KeyHistory("rogue-primary");
  ASSERT_TRUE(history.ok());
  for (const auto& v : *history) EXPECT_FALSE(v.first_wrap_ms.has_value()) << v.thumbprint;

  // Unwraps name their material: the honest copies serve it.
  auto auth = VaultAuthenticator::Create(config_.auth);
  ASSERT_TRUE(auth.ok());
  auto west = MakeKeyVaultClient(config_.vaults[1], config_.router, *auth);
  ASSERT_TRUE(west.ok());
  auto key = (*west)->GetKey("rogue-primary", "", Soon());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  SecureBytes dek(32, 9);
  auto wrapped = (*west)->WrapKey("rogue-primary", key->version, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  auto plain = rt_->router().Unwrap(
      UnwrapRequest{"rogue-primary", thumbprints["rogue-primary"]['H'], "", WrapAlgorithm::kRsaOaep256, *wrapped},
      Soon());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, dek);
}

// With the honest material pinned, a rogue primary is quarantined (loudly,
// in the store) and wraps go through the vaults holding the pinned key.
TEST_F(RouterOnTestbed, PinnedThumbprintQuarantinesARoguePrimary) {
  const std::string name = "pinned-key";
  auto thumbprints = ImportMaterial(name, "RHH");
  ASSERT_FALSE(HasFailure());
  config_.provider.key_names = {name};
  config_.provider.pinned_thumbprints = {{name, thumbprints['H']}};
  ASSERT_TRUE(Open());
  SecureBytes dek(32, 5);
  auto w = rt_->router().Wrap(name, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "westus");
  EXPECT_EQ(w->thumbprint, thumbprints['H']);
  EXPECT_EQ(rt_->router().HealthOf("eastus"), VaultHealthState::kQuarantined);
  EXPECT_FALSE(NothingQuarantinedInStore());
  EXPECT_EQ(tb_->Admin("eastus").RequestCount("wrapkey"), 0);
  auto plain = rt_->router().Unwrap(UnwrapRequest{name, w->thumbprint, "", WrapAlgorithm::kRsaOaep256, w->wrapped}, Soon());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, dek);
}

// The DR drill never reports PASS while a vault holds other material:
// without a pin its wraps are refused; with the pin they succeed, but the
// rogue vault is shown quarantined and the key check fails.
TEST_F(RouterOnTestbed, DrillDoesNotPassWithARogueVault) {
  const std::string name = "drill-key";
  auto thumbprints = ImportMaterial(name, "RHH");
  ASSERT_FALSE(HasFailure());
  config_.provider.key_names = {name};
  ASSERT_TRUE(Open());
  DrillOptions options;
  options.deks = 2;
  RouterKeyPath refused_path(*rt_);
  DrillResult refused = RunFailoverDrill(refused_path, rt_->config(), options);
  EXPECT_FALSE(refused.passed());
  auto check = [](const DrillResult& r, const std::string& check_name) -> const DrillCheck* {
    for (const DrillCheck& c : r.checks)
      if (c.name == check_name) return &c;
    return nullptr;
  };
  const DrillCheck* wrapped = check(refused, "all DEKs wrapped");
  ASSERT_NE(wrapped, nullptr);
  EXPECT_FALSE(wrapped->passed);
  EXPECT_NE(wrapped->detail.find("wrap refused"), std::string::npos) << wrapped->detail;

  rt_.reset();
  config_.provider.state_path = tb_->dir() + "/drill-pinned-state.db";
  config_.provider.pinned_thumbprints = {{name, thumbprints['H']}};
  ASSERT_TRUE(Open());
  RouterKeyPath pinned_path(*rt_);
  DrillResult pinned = RunFailoverDrill(pinned_path, rt_->config(), options);
  EXPECT_FALSE(pinned.passed());
  wrapped = check(pinned, "all DEKs wrapped");
  ASSERT_NE(wrapped, nullptr);
  EXPECT_TRUE(wrapped->passed) << wrapped->detail;
  const DrillCheck* everywhere = check(pinned, "every vault holds the current key version");
  ASSERT_NE(everywhere, nullptr);
  EXPECT_FALSE(everywhere->passed);
  EXPECT_NE(everywhere->detail.find("eastus (QUARANTINED"), std::string::npos) << everywhere->detail;
}

TEST_F(RouterOnTestbed, RogueVaultWithOtherMaterialIsNeverUsedForWrapAndIsReported) {
  // A key that eastus and westus share (backup/restore), while japaneast
  // holds different material under the same name. The pinned thumbprint
  // says which is the key (without it, wraps would be refused: see above).
  const std::string rogue = "rogue-test-key";
  std::string honest;
  {
    auto auth = VaultAuthenticator::Create(config_.auth);
    ASSERT_TRUE(auth.ok());
    auto make = [&](const VaultConfig& v) { return std::move(MakeKeyVaultClient(v, config_.router, *auth).value()); };
    auto east = make(config_.vaults[0]);
    auto west = make(config_.vaults[1]);
    auto jp = make(config_.vaults[2]);
    auto created = east->CreateKey(rogue, KeyCreateOptions{}, Soon());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    honest = created->thumbprint;
    auto blob = east->BackupKey(rogue, Soon());
    ASSERT_TRUE(blob.ok());
    ASSERT_TRUE(west->RestoreKey(*blob, Soon()).ok());
    ASSERT_TRUE(jp->CreateKey(rogue, KeyCreateOptions{}, Soon()).ok());
  }
  config_.provider.key_names = {rogue};
  config_.provider.pinned_thumbprints = {{rogue, honest}};
  config_.provider.state_path = tb_->dir() + "/rogue-state.db";
  ASSERT_TRUE(Open());

  const std::int64_t jp_wraps_before = tb_->Admin("japaneast").RequestCount("wrapkey");
  SecureBytes dek(32, 3);
  auto w = rt_->router().Wrap(rogue, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_NE(w->vault, "japaneast");
  // Loud: quarantined, counted, and recorded in the state store.
  EXPECT_EQ(rt_->router().HealthOf("japaneast"), VaultHealthState::kQuarantined);
  EXPECT_GE(rt_->router().stats().quarantines, 1u);
  auto copies = rt_->store().CopiesInVault("japaneast");
  ASSERT_TRUE(copies.ok());
  bool recorded = false;
  for (const auto& c : *copies) recorded = recorded || c.status == CopyStatus::kQuarantined;
  EXPECT_TRUE(recorded) << "the quarantine is not in the state store";
  auto events = rt_->store().HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  bool event = false;
  for (const auto& e : *events) {
    event = event || (e.transition.vault == "japaneast" && e.transition.to == VaultHealthState::kQuarantined &&
                      e.transition.error_code == codes::kKeyMaterialMismatch);
  }
  EXPECT_TRUE(event) << "no quarantine event with error 5005";

  // With the good vaults gone, geoekm refuses to wrap rather than use it.
  ASSERT_TRUE(tb_->KillVault("eastus").ok());
  ASSERT_TRUE(tb_->KillVault("westus").ok());
  auto refused = rt_->router().Wrap(rogue, WrapAlgorithm::kRsaOaep256, dek, Deadline::After(std::chrono::seconds(20)));
  EXPECT_FALSE(refused.ok()) << "wrapped through a vault holding other material";
  EXPECT_EQ(tb_->Admin("japaneast").RequestCount("wrapkey"), jp_wraps_before);
}


// A provider restarted while a vault is down (a SQL Server restarted during
// a region outage) still wraps: the down vault's copy of the current
// version was verified and recorded by the store before, and that record
// stands in for the check the vault cannot answer now. A version the store
// never saw verified in the down vault is still refused (error 5008, the
// vault named): the record is of a version, not of a vault.
TEST_F(RouterOnTestbed, ARestartedProviderWrapsWhileAVaultWhoseCopyWasVerifiedIsDown) {
  ASSERT_TRUE(OpenAndWrap(1));
  rt_.reset();  // the first process ends; its state file stays
  ASSERT_TRUE(tb_->KillVault("westus").ok());

  ASSERT_TRUE(Open());
  SecureBytes dek(32, 0x42);
  auto w = rt_->router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->thumbprint, wrapped_[0].thumbprint);
  EXPECT_NE(w->vault, "westus");
  auto plain = rt_->router().Unwrap(UnwrapRequest{key_, w->thumbprint, "", WrapAlgorithm::kRsaOaep256, w->wrapped},
                                    Soon());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, dek);
  // Once westus is back, it unwraps what was wrapped while it was down.
  rt_.reset();
  ASSERT_TRUE(tb_->StartVault("westus").ok());
  auto auth = VaultAuthenticator::Create(config_.auth);
  ASSERT_TRUE(auth.ok());
  auto west = MakeKeyVaultClient(config_.vaults[1], config_.router, *auth);
  ASSERT_TRUE(west.ok());
  auto west_current = (*west)->GetKey(key_, "", Soon());
  ASSERT_TRUE(west_current.ok()) << west_current.status().ToString();
  ASSERT_EQ(west_current->thumbprint, w->thumbprint);
  auto from_west = (*west)->UnwrapKey(key_, west_current->version, WrapAlgorithm::kRsaOaep256, w->wrapped, Soon());
  ASSERT_TRUE(from_west.ok()) << from_west.status().ToString();
  EXPECT_EQ(*from_west, dek);

  // A new current version in every vault, which this store never saw
  // verified in westus: with westus down, it is not wrapped with — a plain
  // wrap keeps to the recorded version, one naming the new version is refused.
  auto rotated = ImportMaterial(key_, "NNN");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(tb_->KillVault("westus").ok());
  ASSERT_TRUE(Open());
  auto kept = rt_->router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->thumbprint, w->thumbprint);
  auto refused = rt_->router().WrapVersion(key_, rotated['N'], WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_FALSE(refused.ok()) << "wrapped under " << refused->thumbprint << " though westus was never seen holding it";
  EXPECT_EQ(refused.status().code(), codes::kVersionNotEverywhere);
  EXPECT_NE(refused.status().message().find("westus: could not be checked"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find(rotated['N']), std::string::npos) << refused.status().message();
}


// A rotation on its way (the new version imported into the secondaries,
// the primary last) while the primary is down: the new version cannot be
// shown to be in every vault, so wraps keep using the newest version of
// the history that is (the primary's copy of it was recorded verified),
// instead of failing every wrap until the primary is back. Without a
// history nothing stands in for the check, and wraps are refused (5008).
TEST_F(RouterOnTestbed, DuringARotationWithThePrimaryDownWrapsUseThePreviousVersion) {
  ASSERT_TRUE(OpenAndWrap(1));
  const std::string previous = wrapped_[0].thumbprint;
  rt_.reset();
  auto rotated = ImportMaterial(key_, "-NN");  // westus and japaneast; eastus would be last
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(tb_->KillVault("eastus").ok());

  ASSERT_TRUE(Open());
  SecureBytes dek(32, 0x17);
  auto w = rt_->router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->thumbprint, previous);
  EXPECT_NE(w->thumbprint, rotated['N']);
  EXPECT_EQ(rt_->router().stats().wraps_with_previous_version, 1u);
  auto plain = rt_->router().Unwrap(UnwrapRequest{key_, w->thumbprint, "", WrapAlgorithm::kRsaOaep256, w->wrapped},
                                    Soon());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, dek);
  // Asked for by thumbprint, the new version is refused, not replaced.
  auto named = rt_->router().WrapVersion(key_, rotated['N'], WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.status().code(), codes::kVersionNotEverywhere);

  // A new store (no history): nothing vouches for eastus's copy of anything.
  rt_.reset();
  config_.provider.state_path += ".fresh";
  ASSERT_TRUE(Open());
  auto refused = rt_->router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_FALSE(refused.ok()) << "wrapped under " << refused->thumbprint;
  EXPECT_EQ(refused.status().code(), codes::kVersionNotEverywhere);
  EXPECT_EQ(rt_->router().stats().wraps_with_previous_version, 0u);
}

}  // namespace
}  // namespace geoekm
