// Integration tests of the VaultRouter as the provider builds it
// (VaultSetRuntime: real KeyVaultClients over HTTPS with challenge auth and
// retries, a real SQLite state store behind the recorder) against a real
// vaultsim testbed (three vaults over verified TLS on loopback, a real login
// service): the preferred vault (eastus) is killed, blackholed, slowed, made
// to answer 5xx, put in a 429 storm, has unwrapKey revoked, or lacks the key
// version. Every unwrap still succeeds through another vault, the state
// store shows the change (a health event, or the missing copy), and once
// the fault is gone eastus is failed back to. One testbed per test (≈1.5 s
// each) so faults never leak.
#include <Poco/Exception.h>
#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config_loader.h"
#include "core/jwk_thumbprint.h"
#include "tests/router/router_test_support.h"
#include "tests/support/test_private_jwk.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"
#include "core/error_codes.h"
#include "provider/runtime/vault_set_runtime.h"
#include "state/state_store.h"
#include "vault_router/vault_router.h"

namespace geoekm::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kUnwrapsPerScenario = 12;

SecureBytes RandomDek() {
  SecureBytes dek(32);
  EXPECT_EQ(RAND_bytes(dek.data(), static_cast<int>(dek.size())), 1) << "OpenSSL RAND_bytes failed";
  return dek;
}

class RouterIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tb = Testbed::Start();
    ASSERT_TRUE(tb.ok()) << tb.status().ToString();
    testbed_ = std::move(tb).value();
    auto config = LoadVaultSetConfig(testbed_->info().geoekm_ini);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = std::move(config).value();
    // Fast health decisions so a test sees ejection, probing and failback
    // within seconds; the per-try timeout stays at its production 10 s so
    // a blackholed vault is escaped by hedging, not by a timeout.
    config_.router.probe_interval = milliseconds(200);
    config_.router.probe_interval_max = milliseconds(1000);
    config_.router.failback_hysteresis = std::chrono::seconds(1);
    config_.router.try_timeout = milliseconds(10000);
    config_.router.retry_max_delay = milliseconds(2000);  // throttle cool-down cap
    config_.provider.state_path = testbed_->dir() + "/router-state.db";
    // The router as the provider builds it: real clients, the state store
    // behind the recorder. The test also keeps every event in memory.
    events_ = std::make_shared<EventLog>();
    RuntimeOptions options;
    options.adjust_router = [events = events_](RouterOptions& o) {
      o.observer = std::make_shared<ObserverTee>(o.observer, events);
      o.relist_interval = milliseconds(1000);
    };
    auto rt = VaultSetRuntime::Open(config_, options);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    runtime_ = std::move(rt).value();
  }

  void TearDown() override {
    // Every router event reached the store (none refused or failed).
    if (runtime_) {
      EXPECT_EQ(runtime_->recorder().dropped_events(), 0u);
    }
    runtime_.reset();
  }

  VaultRouter& router() { return runtime_->router(); }
  StateStore& store() { return runtime_->store(); }

  VaultSimAdminClient Admin(const std::string& vault) {
    return testbed_->Admin(vault);
  }

  std::shared_ptr<KeyVaultKeys> Client(const std::string& vault) { return runtime_->vault(vault); }
  std::shared_ptr<KeyVaultKeyAdministration> Administration(const std::string& vault) {
    return runtime_->key_administration(vault);
  }

  // Wraps `count` fresh DEKs through the router while every vault is up.
  struct Wrapped {
    SecureBytes dek;
    WrappedKey key;
  };
  std::vector<Wrapped> WrapDeks(int count) {
    std::vector<Wrapped> out;
    for (int i = 0; i < count; ++i) {
      SecureBytes dek = RandomDek();
      auto w = router().Wrap(testbed_->info().key_name, WrapAlgorithm::kRsaOaep256, dek,
                             Deadline::After(milliseconds(20000)));
      EXPECT_TRUE(w.ok()) << w.status().ToString();
      if (!w.ok()) break;
      out.push_back({std::move(dek), std::move(w).value()});
    }
    return out;
  }

  UnwrapRequest RequestFor(const WrappedKey& key) {
    UnwrapRequest r;
    r.key_name = key.key_name;
    r.thumbprint = key.thumbprint;
    r.algorithm = key.algorithm;
    r.wrapped = key.wrapped;
    return r;
  }

  // Unwraps every DEK; each must come back intact. Returns the slowest
  // unwrap's latency.
  milliseconds UnwrapAll(const std::vector<Wrapped>& deks, const std::string& scenario) {
    milliseconds slowest{0};
    for (const auto& d : deks) {
      const auto start = steady_clock::now();
      auto r = router().Unwrap(RequestFor(d.key), Deadline::After(milliseconds(30000)));
      const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
      slowest = std::max(slowest, took);
      EXPECT_TRUE(r.ok()) << scenario << ": " << r.status().ToString() << " after " << took.count() << " ms; "
                          << Describe(router().stats());
      if (r.ok()) {
        EXPECT_TRUE(*r == d.dek) << scenario << ": unwrapped bytes differ";
      }
    }
    return slowest;
  }

  static std::string Describe(const RouterStats& s) {
    return "unwraps " + std::to_string(s.unwraps) + ", failures " + std::to_string(s.unwrap_failures) + ", hedges " +
           std::to_string(s.hedges) + " (won " + std::to_string(s.hedge_wins) + ", refused " +
           std::to_string(s.hedges_refused) + "), failovers " + std::to_string(s.failovers) + ", vault calls " +
           std::to_string(s.vault_calls) + " (failed " + std::to_string(s.vault_call_failures) + "), throttled " +
           std::to_string(s.throttled_responses) + ", ejections " + std::to_string(s.ejections) + ", failbacks " +
           std::to_string(s.failbacks);
  }

  // Vault calls that took over a second, for failure messages.
  std::string SlowCalls() const {
    std::string out;
    for (const auto& c : events_->calls()) {
      if (c.latency.count() < 1000) continue;
      out += c.vault + " call " + std::to_string(static_cast<int>(c.call)) + " code " +
             std::to_string(c.outcome_code) + " " + std::to_string(c.latency.count()) + " ms" +
             (c.hedged ? " hedged" : "") + (c.abandoned ? " abandoned" : "") + "; ";
    }
    return out;
  }

  // Polls until `vault` is in `state` or `timeout` passes.
  bool WaitForHealth(const std::string& vault, VaultHealthState state, milliseconds timeout) {
    const auto until = steady_clock::now() + timeout;
    while (steady_clock::now() < until) {
      if (router().HealthOf(vault) == state) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return router().HealthOf(vault) == state;
  }

  // The health changes of `vault` as the state store recorded them.
  std::vector<VaultHealthEvent> StoredTransitions(const std::string& vault) {
    std::vector<VaultHealthEvent> out;
    auto events = store().HealthEventsSince(0);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (!events.ok()) return out;
    for (const HealthEventRecord& e : *events)
      if (e.transition.vault == vault) out.push_back(e.transition);
    return out;
  }

  std::string DescribeStored(const std::string& vault) {
    std::string out;
    for (const VaultHealthEvent& t : StoredTransitions(vault)) {
      out += std::string(VaultHealthStateName(t.from)) + "->" + std::string(VaultHealthStateName(t.to)) + " (" +
             std::to_string(t.error_code) + ", HTTP " + std::to_string(t.http_status) + ": " + t.reason + "); ";
    }
    return out.empty() ? "no health events" : out;
  }

  // The store recorded `vault` leaving healthy for `to` because of a
  // failure with `code` (any code when 0) and, if `http` is set, that
  // HTTP status.
  ::testing::AssertionResult StoreShowsFault(const std::string& vault, VaultHealthState to, int code = 0,
                                             int http = 0) {
    for (const VaultHealthEvent& t : StoredTransitions(vault)) {
      if (t.to != to || t.error_code == 0) continue;
      if (code != 0 && t.error_code != code) continue;
      if (http != 0 && t.http_status != http) continue;
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "the state store does not show " << vault << " going "
                                         << VaultHealthStateName(to) << " with code " << code << "; it has "
                                         << DescribeStored(vault);
  }

  // After the fault is gone: `vault` is healthy again (an ejected vault
  // through probes and the hysteresis; a suspect one at its next timely
  // answer, so unwraps keep flowing meanwhile), the store's last word on it
  // is "healthy", and unwraps go to it again.
  void ExpectFailBack(const std::string& vault, const std::vector<Wrapped>& deks) {
    const auto until = steady_clock::now() + std::chrono::seconds(20);
    std::size_t i = 0;
    while (router().HealthOf(vault) != VaultHealthState::kHealthy && steady_clock::now() < until) {
      UnwrapAll({deks[i++ % deks.size()]}, vault + " recovering");
      std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_EQ(router().HealthOf(vault), VaultHealthState::kHealthy) << DescribeStored(vault);
    const auto stored = StoredTransitions(vault);
    ASSERT_FALSE(stored.empty());
    EXPECT_EQ(stored.back().to, VaultHealthState::kHealthy) << DescribeStored(vault);
    const std::int64_t before = Admin(vault).RequestCount("unwrapkey");
    UnwrapAll(deks, vault + " back");
    EXPECT_GE(Admin(vault).RequestCount("unwrapkey") - before, static_cast<std::int64_t>(deks.size() / 2))
        << vault << " was not failed back to; " << Describe(router().stats());
  }

  std::unique_ptr<Testbed> testbed_;
  VaultSetConfig config_;
  std::shared_ptr<EventLog> events_;
  std::unique_ptr<VaultSetRuntime> runtime_;
};

TEST_F(RouterIntegrationTest, WrapsThroughVerifiedVaultAndRecordsTheVersionFirst) {
  auto deks = WrapDeks(3);
  ASSERT_EQ(deks.size(), 3u);
  for (const auto& d : deks) {
    EXPECT_EQ(d.key.thumbprint, testbed_->info().thumbprint);
    EXPECT_EQ(d.key.vault, "eastus");
    EXPECT_NE(d.key.kid.find("/keys/" + testbed_->info().key_name + "/"), std::string::npos);
  }
  auto version = store().FindKeyVersion(testbed_->info().thumbprint);
  ASSERT_TRUE(version.ok() && version->has_value()) << version.status().ToString();
  EXPECT_TRUE((*version)->first_wrap_ms.has_value());
  UnwrapAll(deks, "all vaults up");
  EXPECT_EQ(router().stats().unwrap_failures, 0u);
}

TEST_F(RouterIntegrationTest, KilledPrimaryFailsOverAndFailsBackAfterRestart) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  const int old_pid = testbed_->info().Vault("eastus").pid;
  ASSERT_TRUE(testbed_->KillVault("eastus").ok());
  EXPECT_FALSE(testbed_->KillVault("eastus").ok());  // nothing left to kill
  UnwrapAll(deks, "eastus killed");
  EXPECT_TRUE(WaitForHealth("eastus", VaultHealthState::kEjected, milliseconds(5000)) ||
              router().HealthOf("eastus") == VaultHealthState::kProbing)
      << VaultHealthStateName(router().HealthOf("eastus"));
  EXPECT_GE(router().stats().ejections, 1u);
  // The store says what happened: the region refuses connections (3004),
  // reported at once by the client instead of after its backoff.
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kEjected));
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kSuspect, codes::kHttpConnectSession) ||
              StoreShowsFault("eastus", VaultHealthState::kEjected, codes::kHttpConnectSession));
  EXPECT_NE(DescribeStored("eastus").find("Connection refused"), std::string::npos) << DescribeStored("eastus");
  // Wraps go on through westus (its copy verified; eastus was seen holding
  // the version before it died), and the version is recorded first.
  SecureBytes during = RandomDek();
  auto w = router().Wrap(testbed_->info().key_name, WrapAlgorithm::kRsaOaep256, during,
                         Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "westus");
  EXPECT_EQ(w->thumbprint, testbed_->info().thumbprint);
  ASSERT_TRUE(store().FlushAudit().ok());
  auto audit = store().AuditSince(0, 100000);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  bool wrap_in_west = false;
  for (const AuditRow& row : *audit) {
    wrap_in_west = wrap_in_west || (row.operation.op == VaultCall::kWrap && row.operation.vault == "westus" &&
                                    row.operation.outcome_code == 0);
  }
  EXPECT_TRUE(wrap_in_west) << "the audit does not show the wrap through westus";
  deks.push_back({std::move(during), std::move(w).value()});

  ASSERT_TRUE(testbed_->StartVault("eastus").ok());
  EXPECT_NE(testbed_->info().Vault("eastus").pid, old_pid);
  EXPECT_FALSE(testbed_->StartVault("eastus").ok());  // already running
  // Probes (GetKey + canary) succeed, then the hysteresis passes; the
  // restarted process counts from zero.
  ExpectFailBack("eastus", deks);
  EXPECT_GE(router().stats().failbacks, 1u);
}

TEST_F(RouterIntegrationTest, BlackholedPrimaryIsEscapedByHedgingWithinHedgeDelayPlusOneRoundTrip) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetBlackhole(true));
  const milliseconds slowest = UnwrapAll(deks, "eastus blackholed");
  // hedge delay (≤ cap 1 s) + one secondary round trip; try timeout is 10 s.
  EXPECT_LT(slowest.count(), 1500) << "slowest unwrap " << slowest.count() << " ms; " << SlowCalls();
  const RouterStats st = router().stats();
  EXPECT_GE(st.hedges + st.failovers, 1u) << Describe(st);
  // Outrun by westus a few times, eastus is ejected long before its calls
  // time out, so later unwraps go to westus first.
  EXPECT_NE(router().HealthOf("eastus"), VaultHealthState::kHealthy) << Describe(st);
  EXPECT_GE(st.ejections, 1u) << Describe(st);
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kEjected));
  std::printf("blackholed primary: slowest of %d unwraps %lld ms\n", kUnwrapsPerScenario,
              static_cast<long long>(slowest.count()));
  ASSERT_TRUE(Admin("eastus").SetBlackhole(false));
  ExpectFailBack("eastus", deks);
}

TEST_F(RouterIntegrationTest, BlackholedPrimaryDoesNotStallWraps) {
  auto deks = WrapDeks(3);  // copies verified, latency samples taken
  ASSERT_EQ(deks.size(), 3u);
  ASSERT_TRUE(Admin("eastus").SetBlackhole(true));
  long long slowest = 0;
  for (int i = 0; i < 6; ++i) {
    SecureBytes dek = RandomDek();
    const auto start = steady_clock::now();
    auto w = router().Wrap(testbed_->info().key_name, WrapAlgorithm::kRsaOaep256, dek,
                           Deadline::After(milliseconds(30000)));
    slowest = std::max<long long>(
        slowest, std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_NE(w->vault, "eastus");
    deks.push_back({std::move(dek), std::move(w).value()});
  }
  // hedge delay (≤ cap 1 s) + one secondary round trip, not try_timeout (10 s).
  EXPECT_LT(slowest, 1500) << Describe(router().stats()) << "; " << SlowCalls();
  std::printf("blackholed primary: slowest of 6 wraps %lld ms\n", slowest);
  ASSERT_TRUE(Admin("eastus").SetBlackhole(false));
  UnwrapAll(deks, "after the blackhole");
}

TEST_F(RouterIntegrationTest, BlackholedPrimaryUnderConcurrentLoad) {
  auto deks = WrapDeks(16);
  ASSERT_EQ(deks.size(), 16u);
  ASSERT_TRUE(Admin("eastus").SetBlackhole(true));
  std::atomic<int> failures{0};
  std::atomic<long long> slowest_ms{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 6; ++i) {
        const auto& d = deks[static_cast<std::size_t>(t * 2 + i % 2)];
        const auto start = steady_clock::now();
        auto r = router().Unwrap(RequestFor(d.key), Deadline::After(milliseconds(30000)));
        const long long took =
            std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
        long long seen = slowest_ms.load();
        while (took > seen && !slowest_ms.compare_exchange_weak(seen, took)) {
        }
        if (!r.ok() || !(*r == d.dek)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << Describe(router().stats());
  EXPECT_LT(slowest_ms.load(), 1500) << Describe(router().stats()) << "; " << SlowCalls();
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kEjected));
  std::printf("blackholed primary, 8 threads x 6 unwraps: slowest %lld ms\n", slowest_ms.load());
  EXPECT_TRUE(Admin("eastus").SetBlackhole(false));
}

TEST_F(RouterIntegrationTest, SlowPrimaryIsHedgedAndLeavesHealthy) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetLatency(3000, 0, {"unwrapkey"}));
  const milliseconds slowest = UnwrapAll(deks, "eastus slow");
  EXPECT_LT(slowest.count(), 2500) << "slowest unwrap " << slowest.count() << " ms";
  EXPECT_GE(router().stats().hedge_wins, 1u);
  // Outrun by westus again and again without answering anything, eastus
  // counts as failing (a 3 s unwrap is as good as none for a database
  // waiting on its key); the store shows it leaving healthy.
  const auto until = steady_clock::now() + std::chrono::seconds(10);
  while (router().HealthOf("eastus") == VaultHealthState::kHealthy && steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_NE(router().HealthOf("eastus"), VaultHealthState::kHealthy) << DescribeStored("eastus");
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kSuspect) ||
              StoreShowsFault("eastus", VaultHealthState::kEjected))
      << DescribeStored("eastus");
  ASSERT_TRUE(Admin("eastus").ClearFaults());
  ExpectFailBack("eastus", deks);
}

TEST_F(RouterIntegrationTest, ServerErrorsOnPrimaryFailOver) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetErrorRate(503, 1.0));
  UnwrapAll(deks, "eastus 503");
  ASSERT_TRUE(Admin("westus").SetErrorRate(500, 1.0));
  UnwrapAll(deks, "eastus 503 + westus 500");
  EXPECT_GE(Admin("japaneast").RequestCount("unwrapkey"), 1);
  // Ejected, and the store says why: the 5xx itself, or — when the
  // client's own retries of the 5xx took longer than another vault's whole
  // answer, as they usually do — being outrun (5003).
  for (const char* vault : {"eastus", "westus"}) {
    EXPECT_TRUE(StoreShowsFault(vault, VaultHealthState::kEjected, codes::kHttpServerError) ||
                StoreShowsFault(vault, VaultHealthState::kEjected, codes::kDeadlineExceeded))
        << DescribeStored(vault);
    EXPECT_NE(DescribeStored(vault).find("ejected"), std::string::npos);
  }
  bool cause_named = false;
  for (const VaultHealthEvent& t : StoredTransitions("eastus")) {
    cause_named = cause_named || t.reason.find("HTTP 503") != std::string::npos ||
                  t.reason.find("outrun by another vault") != std::string::npos;
  }
  EXPECT_TRUE(cause_named) << DescribeStored("eastus");
  ASSERT_TRUE(Admin("eastus").ClearFaults());
  ASSERT_TRUE(Admin("westus").ClearFaults());
  ExpectFailBack("eastus", deks);
  EXPECT_TRUE(WaitForHealth("westus", VaultHealthState::kHealthy, milliseconds(15000))) << DescribeStored("westus");
}

TEST_F(RouterIntegrationTest, ThrottleStormOnPrimaryShiftsLoad) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetThrottleStorm(true, true, 5));
  const std::int64_t west_before = Admin("westus").RequestCount("unwrapkey");
  const milliseconds slowest = UnwrapAll(deks, "eastus 429 storm");
  // Retry-After 5 s is not waited out on eastus: the load moves.
  EXPECT_LT(slowest.count(), 5000) << "slowest unwrap " << slowest.count() << " ms";
  EXPECT_GE(router().stats().throttled_responses, 1u);
  EXPECT_GE(Admin("westus").RequestCount("unwrapkey") - west_before, kUnwrapsPerScenario / 2);
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kSuspect, codes::kHttpThrottled, 429));
  // Throttling is not a failure: eastus is never ejected for it.
  EXPECT_EQ(router().stats().ejections, 0u) << DescribeStored("eastus");
  ASSERT_TRUE(Admin("eastus").ClearFaults());
  ExpectFailBack("eastus", deks);
}

TEST_F(RouterIntegrationTest, RevokedUnwrapPermissionOnPrimaryFailsOver) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").Revoke(testbed_->info().client_id, {"unwrapKey"}));
  const std::int64_t others_before =
      Admin("westus").RequestCount("unwrapkey") + Admin("japaneast").RequestCount("unwrapkey");
  UnwrapAll(deks, "eastus 403");
  EXPECT_GE(Admin("westus").RequestCount("unwrapkey") + Admin("japaneast").RequestCount("unwrapkey") - others_before,
            kUnwrapsPerScenario);
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kEjected, codes::kHttpForbidden, 403));
  // Probes unwrap a canary, so eastus stays out until the permission is back.
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_NE(router().HealthOf("eastus"), VaultHealthState::kHealthy) << DescribeStored("eastus");
  ASSERT_TRUE(Admin("eastus").Grant(testbed_->info().client_id, {"unwrapKey"}));
  ExpectFailBack("eastus", deks);
}

TEST_F(RouterIntegrationTest, VersionMissingOnPrimaryIsFoundElsewhere) {
  // New material imported into westus and japaneast only (BYOK: each gets
  // its own version id); eastus never had it.
  const PrivateRsaJwk jwk = NewPrivateJwk();
  const std::string name = testbed_->info().key_name;
  auto west = Administration("westus")->ImportKey(name, jwk, false, {}, Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(west.ok()) << west.status().ToString();
  auto japan = Administration("japaneast")->ImportKey(name, jwk, false, {}, Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(japan.ok()) << japan.status().ToString();
  ASSERT_EQ(west->thumbprint, japan->thumbprint);
  ASSERT_NE(west->version, japan->version);

  std::vector<Wrapped> deks;
  for (int i = 0; i < kUnwrapsPerScenario; ++i) {
    SecureBytes dek = RandomDek();
    auto w = Client("westus")->WrapKey(name, west->version, WrapAlgorithm::kRsaOaep256, dek,
                                       Deadline::After(milliseconds(20000)));
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    WrappedKey key;
    key.wrapped = *w;
    key.key_name = name;
    key.thumbprint = west->thumbprint;
    deks.push_back({std::move(dek), std::move(key)});
  }
  UnwrapAll(deks, "version missing in eastus");
  EXPECT_GE(Admin("westus").RequestCount("unwrapkey") + Admin("japaneast").RequestCount("unwrapkey"),
            kUnwrapsPerScenario);
  // A version one vault lacks is that vault's copy's state, not its health:
  // the store records eastus's copy as missing, eastus stays healthy.
  auto copies = store().CopiesOfVersion(west->thumbprint);
  ASSERT_TRUE(copies.ok()) << copies.status().ToString();
  std::map<std::string, CopyStatus> by_vault;
  for (const VaultKeyCopyRecord& c : *copies) by_vault[c.vault] = c.status;
  EXPECT_EQ(by_vault.count("eastus"), 1u) << "eastus's missing copy is not in the store";
  if (by_vault.count("eastus")) {
    EXPECT_EQ(by_vault["eastus"], CopyStatus::kMissing);
  }
  EXPECT_EQ(router().HealthOf("eastus"), VaultHealthState::kHealthy);
  // The new version is not everywhere: wrap keeps using the old one.
  auto w = router().Wrap(name, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->thumbprint, testbed_->info().thumbprint);

  // Replication catches up (the same material imported into eastus): after
  // the relist interval eastus serves the version again and the store has
  // its copy verified.
  auto east = Administration("eastus")->ImportKey(name, jwk, false, {}, Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(east.ok()) << east.status().ToString();
  ASSERT_EQ(east->thumbprint, west->thumbprint);
  std::this_thread::sleep_for(milliseconds(1200));
  const std::int64_t east_before = Admin("eastus").RequestCount("unwrapkey");
  UnwrapAll(deks, "version back in eastus");
  EXPECT_GE(Admin("eastus").RequestCount("unwrapkey") - east_before, kUnwrapsPerScenario / 2);
  copies = store().CopiesOfVersion(west->thumbprint);
  ASSERT_TRUE(copies.ok());
  for (const VaultKeyCopyRecord& c : *copies) {
    if (c.vault == "eastus") {
      EXPECT_EQ(c.status, CopyStatus::kVerified) << c.detail;
    }
  }
}

// A vault whose wrap answer is not exactly the modulus length (256 bytes
// for the testbed's RSA-2048 key) has not wrapped the DEK: the answer is
// that vault's fault, the next vault wraps, and the store records it.
TEST_F(RouterIntegrationTest, WrongLengthWrapAnswerFailsOverAndIsRecorded) {
  auto deks = WrapDeks(1);  // copies verified, history recorded
  ASSERT_EQ(deks.size(), 1u);
  ASSERT_TRUE(Admin("eastus").SetFaults(R"({"tamper":{"value_bytes":3,"operations":["wrapkey"]}})"));
  SecureBytes dek = RandomDek();
  auto w = router().Wrap(testbed_->info().key_name, WrapAlgorithm::kRsaOaep256, dek, Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_NE(w->vault, "eastus");
  EXPECT_EQ(w->wrapped.size(), 256u);
  deks.push_back({std::move(dek), std::move(w).value()});
  UnwrapAll(deks, "after a short wrap answer");
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kSuspect, codes::kWrapJsonParser) ||
              StoreShowsFault("eastus", VaultHealthState::kEjected, codes::kWrapJsonParser));

  // Every vault answers garbage: the wrap fails, saying why, and returns nothing.
  for (const char* v : {"westus", "japaneast"})
    ASSERT_TRUE(Admin(v).SetFaults(R"({"tamper":{"value_bytes":255,"operations":["wrapkey"]}})"));
  auto refused = router().Wrap(testbed_->info().key_name, WrapAlgorithm::kRsaOaep256, RandomDek(),
                               Deadline::After(milliseconds(20000)));
  ASSERT_FALSE(refused.ok()) << "returned a " << refused->wrapped.size() << "-byte wrapped key";
  EXPECT_EQ(refused.status().code(), codes::kNoUsableVault);
  EXPECT_NE(refused.status().message().find("exactly 256 bytes"), std::string::npos) << refused.status().message();
}

// A vault answering JSON with nulls and wrong types where a key or an unwrap
// result belongs (the body that once threw Poco::InvalidAccessException out of
// the client) is that vault's fault: the others serve, the store records it.
TEST_F(RouterIntegrationTest, NullsInThePrimarysAnswersFailOverNotCrash) {
  auto deks = WrapDeks(2);
  ASSERT_EQ(deks.size(), 2u);
  ASSERT_TRUE(Admin("eastus").SetFaults(
      R"({"answer":{"body":"{\"value\":[null],\"key\":{\"kid\":null,\"key_ops\":[null]},\"tags\":{\"a\":null}}",)"
      R"("operations":["unwrapkey","get","list"]}})"));
  UnwrapAll(deks, "eastus answers nulls");
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kSuspect, codes::kUnwrapJsonParser) ||
              StoreShowsFault("eastus", VaultHealthState::kEjected, codes::kUnwrapJsonParser))
      << DescribeStored("eastus");
  EXPECT_NE(router().HealthOf("eastus"), VaultHealthState::kHealthy);
}

// An unwrap answer that is empty or longer than RSA-OAEP-256 allows for a
// 2048-bit key (256 - 2*32 - 2 = 190 bytes) is that vault's fault: another
// vault unwraps, the store records it; with only such vaults the unwrap fails.
TEST_F(RouterIntegrationTest, WrongLengthUnwrapAnswerFailsOverAndIsRecorded) {
  auto deks = WrapDeks(2);
  ASSERT_EQ(deks.size(), 2u);
  ASSERT_TRUE(Admin("eastus").SetFaults(R"({"tamper":{"value_bytes":0,"operations":["unwrapkey"]}})"));
  UnwrapAll({deks[0]}, "eastus answers an empty unwrap");
  ASSERT_TRUE(Admin("eastus").SetFaults(R"({"tamper":{"value_bytes":191,"operations":["unwrapkey"]}})"));
  UnwrapAll({deks[1]}, "eastus answers a 191-byte unwrap");
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kSuspect, codes::kUnwrapJsonParser) ||
              StoreShowsFault("eastus", VaultHealthState::kEjected, codes::kUnwrapJsonParser))
      << DescribeStored("eastus");
  EXPECT_NE(router().HealthOf("eastus"), VaultHealthState::kHealthy);

  for (const char* v : {"westus", "japaneast"})
    ASSERT_TRUE(Admin(v).SetFaults(R"({"tamper":{"value_bytes":0,"operations":["unwrapkey"]}})"));
  auto r = router().Unwrap(RequestFor(deks[0].key), Deadline::After(milliseconds(20000)));
  ASSERT_FALSE(r.ok()) << "an unusable answer was returned as the DEK";
  EXPECT_EQ(r.status().code(), codes::kNoUsableVault);
  EXPECT_NE(r.status().message().find("RSA-OAEP-256 unwraps 1 to 190 bytes"), std::string::npos)
      << r.status().message();
}

// A wrapped key that is not the modulus length is the caller's error: it is
// refused before any vault is asked to unwrap it.
TEST_F(RouterIntegrationTest, WrongLengthWrappedKeyIsRefusedBeforeAnyVault) {
  auto deks = WrapDeks(1);
  ASSERT_EQ(deks.size(), 1u);
  std::int64_t before = 0;
  for (const char* v : {"eastus", "westus", "japaneast"}) before += Admin(v).RequestCount("unwrapkey");
  for (std::size_t size : {std::size_t{3}, std::size_t{255}, std::size_t{257}}) {
    UnwrapRequest request = RequestFor(deks[0].key);
    request.wrapped.resize(size, 0x5a);
    auto r = router().Unwrap(request, Deadline::After(milliseconds(20000)));
    ASSERT_FALSE(r.ok()) << size;
    EXPECT_EQ(r.status().code(), codes::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find("exactly 256 bytes"), std::string::npos) << r.status().message();
  }
  std::int64_t after = 0;
  for (const char* v : {"eastus", "westus", "japaneast"}) after += Admin(v).RequestCount("unwrapkey");
  EXPECT_EQ(after, before);
  for (const char* v : {"eastus", "westus", "japaneast"}) EXPECT_EQ(router().HealthOf(v), VaultHealthState::kHealthy);
}

// A key bundle whose kid names another vault, or another key, is not that
// vault's copy of the key: it is never recorded as verified, creates no
// history for a key the set does not serve, and counts against the vault.
TEST_F(RouterIntegrationTest, KidNamingAnotherVaultOrKeyIsNotRecorded) {
  const std::string key = testbed_->info().key_name;
  const VaultConfig& east = config_.vaults[0];
  ASSERT_EQ(east.name, "eastus");
  const std::string version(32, 'a');
  const std::string other_host = "https://geoekm-westus.vault.test:" + std::to_string(east.port) + "/keys/" + key + "/" + version;
  const std::string other_key = "https://" + east.host + ":" + std::to_string(east.port) + "/keys/other-key/" + version;
  auto copies_in_east = [&] {
    std::string out;
    auto copies = store().CopiesInVault("eastus");
    EXPECT_TRUE(copies.ok()) << copies.status().ToString();
    if (copies.ok())
      for (const VaultKeyCopyRecord& c : *copies) out += c.kid + " " + std::string(CopyStatusName(c.status)) + "; ";
    return out;
  };
  for (const std::string& kid : {other_host, other_key}) {
    ASSERT_TRUE(Admin("eastus").SetFaults(R"({"tamper":{"kid":")" + kid + R"(","operations":["get"]}})"));
    auto w = router().Wrap(key, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(milliseconds(20000)));
    // eastus's copy cannot be confirmed, so the version is not known to be everywhere.
    ASSERT_FALSE(w.ok()) << "wrapped through " << w->vault;
    EXPECT_EQ(w.status().code(), codes::kVersionNotEverywhere) << w.status().ToString();
    EXPECT_NE(w.status().message().find("eastus: could not be checked"), std::string::npos) << w.status().message();
    EXPECT_EQ(copies_in_east(), "") << kid;
  }
  auto other = store().KeyHistory("other-key");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty()) << "history rows for a key the set does not serve";
  EXPECT_TRUE(StoreShowsFault("eastus", VaultHealthState::kSuspect, codes::kGetKeyJsonParser) ||
              StoreShowsFault("eastus", VaultHealthState::kEjected, codes::kGetKeyJsonParser));

  // The honest answer is recorded again once the vault gives it.
  ASSERT_TRUE(Admin("eastus").ClearFaults());
  std::this_thread::sleep_for(milliseconds(1100));  // past the relist interval
  auto w = router().Wrap(key, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const std::string east_copies = copies_in_east();
  EXPECT_NE(east_copies.find("https://" + east.host + ":" + std::to_string(east.port) + "/keys/" + key + "/"),
            std::string::npos) << east_copies;
  EXPECT_EQ(east_copies.find("other-key"), std::string::npos) << east_copies;
  EXPECT_EQ(east_copies.find("westus"), std::string::npos) << east_copies;
}

TEST_F(RouterIntegrationTest, ConcurrentUnwrapsDuringPrimaryLossAllSucceed) {
  auto deks = WrapDeks(8);
  ASSERT_EQ(deks.size(), 8u);
  ASSERT_TRUE(testbed_->KillVault("eastus").ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      const auto& d = deks[static_cast<std::size_t>(t) % deks.size()];
      auto r = router().Unwrap(RequestFor(d.key), Deadline::After(milliseconds(30000)));
      if (!r.ok() || !(*r == d.dek)) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace geoekm::testing
