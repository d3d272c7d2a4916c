// One unwrap through KeyVaultClient (auth header, request id, JSON, error
// mapping, retry bookkeeping, pooled connection) against the same unwrap
// sent as a raw request over a kept-alive Poco HTTPS session with a token
// fetched once — both to the same vaultsim vault, in the same run. The
// ratio is the client's overhead; vaultsim's RSA decryption dominates both.
//
// Run: build/default/tests/bench/client_bench  (starts its own testbed; the
// testbed's vaults run with throttling off, so neither loop meets a 429).
// After both benchmarks it prints "ratio client/raw" of the real time per
// unwrap (the median with --benchmark_repetitions=N, which a loaded machine
// needs: single runs vary by +-20%).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "tests/bench/ratio_reporter.h"
#include "tests/support/raw_unwrap_session.h"
#include "tests/support/testbed.h"
#include "keyvault/keys/key_vault_client.h"
#include "provider/runtime/key_vault_client_factory.h"

namespace geoekm {
namespace {

struct Fixture {
  std::unique_ptr<testing::Testbed> testbed;
  VaultSetConfig config;
  std::shared_ptr<VaultAuthenticator> auth;
  std::unique_ptr<KeyVaultClient> client;
  std::string version;
  Bytes wrapped;
  std::string token;

  static Fixture& Get() {
    static Fixture f = Make();
    return f;
  }

  static Fixture Make() {
    Fixture f;
    auto tb = testing::Testbed::Start();
    if (!tb.ok()) throw std::runtime_error(tb.status().ToString());
    f.testbed = std::move(tb).value();
    f.config = *LoadVaultSetConfig(f.testbed->info().geoekm_ini);
    f.auth = *VaultAuthenticator::Create(f.config.auth);
    f.client = std::move(MakeKeyVaultClient(f.config.vaults.front(), f.config.router, f.auth).value());
    f.version = f.testbed->info().key_copies.front().version;
    SecureBytes dek(32, 9);
    f.wrapped = *f.client->WrapKey(f.testbed->info().key_name, f.version, WrapAlgorithm::kRsaOaep256, dek,
                                   Deadline::After(std::chrono::seconds(10)));
    f.token = std::string(f.auth->CachedOrFreshToken(f.config.vaults.front().host,
                                                     Deadline::After(std::chrono::seconds(10)))
                              .value()
                              .c_str());
    return f;
  }
};

void BM_UnwrapThroughKeyVaultClient(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  for (auto _ : state) {
    auto plain = f.client->UnwrapKey(f.testbed->info().key_name, f.version, WrapAlgorithm::kRsaOaep256, f.wrapped,
                                     Deadline::After(std::chrono::seconds(10)));
    if (!plain.ok()) state.SkipWithError(plain.status().ToString().c_str());
    benchmark::DoNotOptimize(plain);
  }
}

void BM_UnwrapRawKeptAliveSession(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  const VaultConfig& v = f.config.vaults.front();
  testing::RawUnwrapSession session({v.host, v.port, v.connect_to_host, v.connect_to_port, v.ca_bundle, f.token,
                                     f.testbed->info().key_name, f.version, "RSA-OAEP-256"});
  for (auto _ : state) {
    if (!session.Unwrap(f.wrapped)) state.SkipWithError("raw unwrap failed");
  }
}

BENCHMARK(BM_UnwrapRawKeptAliveSession)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_UnwrapThroughKeyVaultClient)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime();

}  // namespace
}  // namespace geoekm

int main(int argc, char** argv) {
  return geoekm::bench::RunWithRatio(argc, argv, "client/raw", "BM_UnwrapThroughKeyVaultClient",
                                     "BM_UnwrapRawKeptAliveSession", "unwrap");
}
