// Integration tests of the VaultRouter over real KeyVaultClients (HTTPS,
// challenge auth, retries) against a real vaultsim testbed (three vaults over verified TLS on loopback, a real
// login service): the preferred vault (eastus) is killed, blackholed, slowed,
// made to answer 5xx, put in a 429 storm, has unwrapKey revoked, or lacks the
// key version — and every unwrap still succeeds through another vault. A
// killed vault that comes back takes traffic back after the failback
// hysteresis. One testbed per test (≈1.5 s each) so faults never leak.
#include <Poco/Exception.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config_loader.h"
#include "core/base64url.h"
#include "core/jwk_thumbprint.h"
#include "tests/router/router_test_support.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"
#include "vault_router/auth/vault_authenticator.h"
#include "vault_router/client/key_vault_client.h"
#include "vault_router/vault_router.h"

namespace geoekm::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kUnwrapsPerScenario = 12;

SecureBytes RandomDek() {
  SecureBytes dek(32);
  RAND_bytes(dek.data(), static_cast<int>(dek.size()));
  return dek;
}

// A fresh RSA-2048 private JWK (for BYOK import of new material).
PrivateRsaJwk NewPrivateJwk() {
  PrivateRsaJwk jwk;
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  auto part = [&](const char* name, SecureString* out) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(pkey, name, &bn);
    SecureBytes raw(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, raw.data());
    BN_clear_free(bn);
    std::string encoded = Base64UrlEncode(raw);
    out->assign(encoded.begin(), encoded.end());
    OPENSSL_cleanse(encoded.data(), encoded.size());
  };
  part(OSSL_PKEY_PARAM_RSA_N, &jwk.n);
  part(OSSL_PKEY_PARAM_RSA_E, &jwk.e);
  part(OSSL_PKEY_PARAM_RSA_D, &jwk.d);
  part(OSSL_PKEY_PARAM_RSA_FACTOR1, &jwk.p);
  part(OSSL_PKEY_PARAM_RSA_FACTOR2, &jwk.q);
  part(OSSL_PKEY_PARAM_RSA_EXPONENT1, &jwk.dp);
  part(OSSL_PKEY_PARAM_RSA_EXPONENT2, &jwk.dq);
  part(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &jwk.qi);
  EVP_PKEY_free(pkey);
  return jwk;
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
    // The real clients, as the provider builds them, except that a 429 is
    // not retried inside the client: the router sheds the load instead.
    auto auth = VaultAuthenticator::Create(config_.auth);
    ASSERT_TRUE(auth.ok()) << auth.status().ToString();
    KeyVaultClientOptions client_options;
    client_options.retry_throttled = false;
    for (const VaultConfig& v : config_.vaults) {
      auto client = KeyVaultClient::Create(v, config_.router, *auth, client_options);
      ASSERT_TRUE(client.ok()) << client.status().ToString();
      clients_.push_back(std::shared_ptr<KeyVaultOperations>(std::move(client).value()));
    }
    recorder_ = std::make_shared<MemoryRecorder>();
    events_ = std::make_shared<EventLog>();
    router_ = MakeRouter();
  }

  void TearDown() override {
    router_.reset();
    clients_.clear();
  }

  std::unique_ptr<VaultRouter> MakeRouter() {
    std::vector<RoutedVault> vaults;
    for (std::size_t i = 0; i < config_.vaults.size(); ++i) {
      vaults.push_back({config_.vaults[i].name, config_.vaults[i].priority, clients_[i]});
    }
    RouterOptions options = RouterOptionsFromConfig(config_);
    options.recorder = recorder_;
    options.observer = events_;
    return std::make_unique<VaultRouter>(std::move(vaults), std::move(options));
  }

  VaultSimAdminClient Admin(const std::string& vault) {
    const auto& v = testbed_->info().Vault(vault);
    return VaultSimAdminClient(v.host, v.admin_port, testbed_->info().ca_bundle, v.admin_token);
  }

  std::shared_ptr<KeyVaultOperations> Client(const std::string& vault) {
    for (std::size_t i = 0; i < config_.vaults.size(); ++i) {
      if (config_.vaults[i].name == vault) return clients_[i];
    }
    return nullptr;
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
      auto w = router_->Wrap(testbed_->info().key_name, WrapAlgorithm::kRsaOaep256, dek,
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
      auto r = router_->Unwrap(RequestFor(d.key), Deadline::After(milliseconds(30000)));
      const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
      slowest = std::max(slowest, took);
      EXPECT_TRUE(r.ok()) << scenario << ": " << r.status().ToString() << " after " << took.count() << " ms; "
                          << Describe(router_->stats());
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
      if (router_->HealthOf(vault) == state) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return router_->HealthOf(vault) == state;
  }

  std::unique_ptr<Testbed> testbed_;
  VaultSetConfig config_;
  std::vector<std::shared_ptr<KeyVaultOperations>> clients_;
  std::shared_ptr<MemoryRecorder> recorder_;
  std::shared_ptr<EventLog> events_;
  std::unique_ptr<VaultRouter> router_;
};

TEST_F(RouterIntegrationTest, WrapsThroughVerifiedVaultAndRecordsTheVersionFirst) {
  auto deks = WrapDeks(3);
  ASSERT_EQ(deks.size(), 3u);
  for (const auto& d : deks) {
    EXPECT_EQ(d.key.thumbprint, testbed_->info().thumbprint);
    EXPECT_EQ(d.key.vault, "eastus");
    EXPECT_NE(d.key.kid.find("/keys/" + testbed_->info().key_name + "/"), std::string::npos);
  }
  const auto records = recorder_->records();
  ASSERT_GE(records.size(), 3u);
  EXPECT_EQ(records.back().second, testbed_->info().thumbprint);
  const milliseconds slowest = UnwrapAll(deks, "all vaults up");
  (void)slowest;
  EXPECT_EQ(router_->stats().unwrap_failures, 0u);
}

TEST_F(RouterIntegrationTest, KilledPrimaryFailsOverAndFailsBackAfterRestart) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  const int old_pid = testbed_->info().Vault("eastus").pid;
  ASSERT_TRUE(testbed_->KillVault("eastus").ok());
  EXPECT_FALSE(testbed_->KillVault("eastus").ok());  // nothing left to kill
  UnwrapAll(deks, "eastus killed");
  EXPECT_TRUE(WaitForHealth("eastus", VaultHealthState::kEjected, milliseconds(5000)) ||
              router_->HealthOf("eastus") == VaultHealthState::kProbing)
      << VaultHealthStateName(router_->HealthOf("eastus"));
  EXPECT_GE(router_->stats().ejections, 1u);
  // Wraps go on through westus (its copy verified; eastus was seen holding
  // the version before it died), and the version is recorded first.
  SecureBytes during = RandomDek();
  auto w = router_->Wrap(testbed_->info().key_name, WrapAlgorithm::kRsaOaep256, during,
                         Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->vault, "westus");
  EXPECT_EQ(w->thumbprint, testbed_->info().thumbprint);
  ASSERT_FALSE(recorder_->records().empty());
  EXPECT_EQ(recorder_->records().back().first, "westus");
  deks.push_back({std::move(during), std::move(w).value()});

  ASSERT_TRUE(testbed_->StartVault("eastus").ok());
  EXPECT_NE(testbed_->info().Vault("eastus").pid, old_pid);
  EXPECT_FALSE(testbed_->StartVault("eastus").ok());  // already running
  // Probes (GetKey + canary) succeed, then the hysteresis passes.
  ASSERT_TRUE(WaitForHealth("eastus", VaultHealthState::kHealthy, milliseconds(15000)))
      << VaultHealthStateName(router_->HealthOf("eastus"));
  EXPECT_GE(router_->stats().failbacks, 1u);
  UnwrapAll(deks, "eastus back");
  // The restarted process counts from zero: the unwraps went to eastus again.
  EXPECT_GE(Admin("eastus").RequestCount("unwrapkey"), kUnwrapsPerScenario / 2);
}

TEST_F(RouterIntegrationTest, BlackholedPrimaryIsEscapedByHedgingWithinHedgeDelayPlusOneRoundTrip) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetBlackhole(true));
  const milliseconds slowest = UnwrapAll(deks, "eastus blackholed");
  // hedge delay (≤ cap 1 s) + one secondary round trip; try timeout is 10 s.
  EXPECT_LT(slowest.count(), 1500) << "slowest unwrap " << slowest.count() << " ms; " << SlowCalls();
  const RouterStats st = router_->stats();
  EXPECT_GE(st.hedges + st.failovers, 1u) << Describe(st);
  // Outrun by westus a few times, eastus is ejected long before its calls
  // time out, so later unwraps go to westus first.
  EXPECT_NE(router_->HealthOf("eastus"), VaultHealthState::kHealthy) << Describe(st);
  EXPECT_GE(st.ejections, 1u) << Describe(st);
  std::printf("blackholed primary: slowest of %d unwraps %lld ms\n", kUnwrapsPerScenario,
              static_cast<long long>(slowest.count()));
  EXPECT_TRUE(Admin("eastus").SetBlackhole(false));
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
        auto r = router_->Unwrap(RequestFor(d.key), Deadline::After(milliseconds(30000)));
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
  EXPECT_EQ(failures.load(), 0) << Describe(router_->stats());
  EXPECT_LT(slowest_ms.load(), 1500) << Describe(router_->stats()) << "; " << SlowCalls();
  std::printf("blackholed primary, 8 threads x 6 unwraps: slowest %lld ms\n", slowest_ms.load());
  EXPECT_TRUE(Admin("eastus").SetBlackhole(false));
}

TEST_F(RouterIntegrationTest, SlowPrimaryIsHedged) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetLatency(3000, 0, {"unwrapkey"}));
  const milliseconds slowest = UnwrapAll(deks, "eastus slow");
  EXPECT_LT(slowest.count(), 2500) << "slowest unwrap " << slowest.count() << " ms";
  EXPECT_GE(router_->stats().hedge_wins, 1u);
}

TEST_F(RouterIntegrationTest, ServerErrorsOnPrimaryFailOver) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetErrorRate(503, 1.0));
  UnwrapAll(deks, "eastus 503");
  ASSERT_TRUE(Admin("westus").SetErrorRate(500, 1.0));
  UnwrapAll(deks, "eastus 503 + westus 500");
  EXPECT_GE(Admin("japaneast").RequestCount("unwrapkey"), 1);
}

TEST_F(RouterIntegrationTest, ThrottleStormOnPrimaryShiftsLoad) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").SetThrottleStorm(true, true, 5));
  const milliseconds slowest = UnwrapAll(deks, "eastus 429 storm");
  // Retry-After 5 s is not waited out on eastus: the load moves.
  EXPECT_LT(slowest.count(), 5000) << "slowest unwrap " << slowest.count() << " ms";
  EXPECT_GE(router_->stats().throttled_responses, 1u);
  EXPECT_GE(Admin("westus").RequestCount("unwrapkey"), kUnwrapsPerScenario / 2);
}

TEST_F(RouterIntegrationTest, RevokedUnwrapPermissionOnPrimaryFailsOver) {
  auto deks = WrapDeks(kUnwrapsPerScenario);
  ASSERT_EQ(deks.size(), static_cast<std::size_t>(kUnwrapsPerScenario));
  ASSERT_TRUE(Admin("eastus").Revoke(testbed_->info().client_id, {"unwrapKey"}));
  UnwrapAll(deks, "eastus 403");
  EXPECT_GE(Admin("westus").RequestCount("unwrapkey") + Admin("japaneast").RequestCount("unwrapkey"),
            kUnwrapsPerScenario);
}

TEST_F(RouterIntegrationTest, VersionMissingOnPrimaryIsFoundElsewhere) {
  // New material imported into westus and japaneast only (BYOK: each gets
  // its own version id); eastus never had it.
  const PrivateRsaJwk jwk = NewPrivateJwk();
  const std::string name = testbed_->info().key_name;
  auto west = Client("westus")->ImportKey(name, jwk, false, {}, Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(west.ok()) << west.status().ToString();
  auto japan = Client("japaneast")->ImportKey(name, jwk, false, {}, Deadline::After(milliseconds(20000)));
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
  // The new version is not everywhere: wrap keeps using the old one.
  auto w = router_->Wrap(name, WrapAlgorithm::kRsaOaep256, RandomDek(), Deadline::After(milliseconds(20000)));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->thumbprint, testbed_->info().thumbprint);
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
      auto r = router_->Unwrap(RequestFor(d.key), Deadline::After(milliseconds(30000)));
      if (!r.ok() || !(*r == d.dek)) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace geoekm::testing
