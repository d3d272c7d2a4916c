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
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "tests/support/raw_unwrap_session.h"
#include "tests/support/testbed.h"
#include "keyvault/keys/key_vault_client.h"

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
    f.client = std::move(KeyVaultClient::Create(f.config.vaults.front(), f.config.router, f.auth).value());
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

// The console output plus the mean real time of each benchmark, so that the
// ratio of the two runs can be printed at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      // With --benchmark_repetitions the median of the repetitions wins.
      const std::string& name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        mean_us_[name] = run.GetAdjustedRealTime();
        has_median_[name] = true;
      } else if (run.run_type == Run::RT_Iteration && !has_median_[name]) {
        mean_us_[name] = run.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> mean_us_;
  std::map<std::string, bool> has_median_;
};

}  // namespace
}  // namespace geoekm

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  geoekm::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const auto& m = reporter.mean_us_;
  auto raw = m.find("BM_UnwrapRawKeptAliveSession");
  auto client = m.find("BM_UnwrapThroughKeyVaultClient");
  if (raw == m.end() || client == m.end() || raw->second <= 0) {
    std::printf("ratio client/raw: n/a (a benchmark was filtered out or failed)\n");
    return 0;
  }
  std::printf("ratio client/raw: %.3f (client %.1f us, raw %.1f us per unwrap)\n", client->second / raw->second,
              client->second, raw->second);
  return 0;
}
