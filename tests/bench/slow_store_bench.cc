// Request latency with a slow state store, for the acceptance item "a slow
// state store (each commit delayed 50 ms by an injected hook) leaves unwrap
// p99 within 1.1x of the fast store, and wraps of an already-recorded
// version likewise".
//
// Two identical set-ups run side by side in one process: a router over two
// fake vaults (tests/router/fake_key_vault.h: real RSA-2048 operations in
// memory, no network) reporting into a StateRecorder over a real SQLite
// state file with default options (WAL, synchronous=FULL, audit rows
// committed 512 at a time). In the "slow" set-up StateStoreOptions::on_commit sleeps
// 50 ms in every commit. Each iteration times one call on the fast set-up
// and then the same call on the slow one, so both see the same machine
// load; the wrap benchmarks wrap with a version each set-up has already
// recorded (its first wrap is made before timing). At the end it prints
// p50/p99 of each and the slow/fast ratios, how many calls of the slow
// set-up took 50 ms or more (each of those waited for a commit), and how
// many audit rows the slow writer coalesced (queue full) and its deepest queue.
//
// Run: build/default/tests/bench/slow_store_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/or_throw.h"
#include "tests/bench/recorded_router.h"
#include "tests/router/fake_key_vault.h"
#include "tests/router/test_rsa_key.h"
#include "vault_router/vault_router.h"
#include "tests/support/soon.h"

namespace geoekm {
namespace {

using std::chrono::steady_clock;

const std::string kKey = "tde";

using testing::Soon;

const std::shared_ptr<const testing::TestRsaKey>& Key() {
  static const auto key = testing::TestRsaKey::Generate();
  return key;
}

// One router + recorder + store; `commit_delay` is added to every commit.
struct Setup {
  std::unique_ptr<RecordedRouter> recorded;
  VaultRouter* router = nullptr;
  Bytes wrapped;
  std::string thumbprint;

  explicit Setup(const std::string& name, std::chrono::milliseconds commit_delay) {
    StateStoreOptions options;
    if (commit_delay.count() > 0) options.on_commit = [commit_delay] { std::this_thread::sleep_for(commit_delay); };
    std::vector<RoutedVault> routed;
    for (int i = 0; i < 2; ++i) {
      auto v = std::make_shared<testing::FakeKeyVault>("v" + std::to_string(i));
      v->AddVersion(kKey, Key());
      routed.push_back(RoutedVault{v->vault_name(), i, v, v->vault_name() + ".vault.test", 443});
    }
    recorded = std::make_unique<RecordedRouter>("slow-store-" + name, std::move(routed), options, kKey);
    router = recorded->router.get();
    const SecureBytes dek(32, 7);
    WrappedKey w = OrThrow(router->Wrap(kKey, WrapAlgorithm::kRsaOaep256, dek, Soon()));  // records the version
    wrapped = w.wrapped;
    thumbprint = w.thumbprint;
  }

  double TimeUnwrap() const {
    const auto start = steady_clock::now();
    auto r = router->Unwrap(UnwrapRequest{kKey, thumbprint, "", WrapAlgorithm::kRsaOaep256, wrapped}, Soon());
    const double ms = std::chrono::duration<double, std::milli>(steady_clock::now() - start).count();
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return ms;
  }
  double TimeWrap() const {
    const SecureBytes dek(32, 9);
    const auto start = steady_clock::now();
    auto r = router->Wrap(kKey, WrapAlgorithm::kRsaOaep256, dek, Soon());
    const double ms = std::chrono::duration<double, std::milli>(steady_clock::now() - start).count();
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    if (r->thumbprint != thumbprint) throw std::runtime_error("the wrap used another version");
    return ms;
  }
};

struct Pair {
  Setup fast{"fast", std::chrono::milliseconds(0)};
  Setup slow{"slow", std::chrono::milliseconds(50)};
  static Pair& Get() {
    static Pair p;
    return p;
  }
};

struct Samples {
  std::vector<double> fast, slow;
};
Samples& UnwrapSamples() {
  static Samples s;
  return s;
}
Samples& WrapSamples() {
  static Samples s;
  return s;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

template <typename Call>
void RunPair(benchmark::State& state, Samples& samples, Call call) {
  Pair& pair = Pair::Get();
  for (auto _ : state) {
    const double f = call(pair.fast);
    const double s = call(pair.slow);
    samples.fast.push_back(f);
    samples.slow.push_back(s);
    state.SetIterationTime((f + s) / 1000.0);
  }
}

void BM_UnwrapFastThenSlowStore(benchmark::State& state) {
  RunPair(state, UnwrapSamples(), [](const Setup& s) { return s.TimeUnwrap(); });
}
void BM_WrapRecordedVersionFastThenSlowStore(benchmark::State& state) {
  RunPair(state, WrapSamples(), [](const Setup& s) { return s.TimeWrap(); });
}

BENCHMARK(BM_UnwrapFastThenSlowStore)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(2000);
BENCHMARK(BM_WrapRecordedVersionFastThenSlowStore)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(2000);

void PrintSummary() {
  std::printf("\n%-34s %8s %10s %10s %10s %10s %9s %9s %8s\n", "call", "samples", "fast p50", "slow p50", "fast p99",
              "slow p99", "p50 ratio", "p99 ratio", "slow>=50");
  for (const auto& [name, s] : {std::pair<const char*, Samples*>{"unwrap", &UnwrapSamples()},
                                {"wrap (version already recorded)", &WrapSamples()}}) {
    const double f50 = Percentile(s->fast, 0.50), s50 = Percentile(s->slow, 0.50);
    const double f99 = Percentile(s->fast, 0.99), s99 = Percentile(s->slow, 0.99);
    // Calls of the slow set-up that took a whole commit delay or more: each
    // one waited for a commit (the p99 on a shared machine is noisier).
    const auto waited = std::count_if(s->slow.begin(), s->slow.end(), [](double ms) { return ms >= 50.0; });
    std::printf("%-34s %8zu %8.3fms %8.3fms %8.3fms %8.3fms %9.3f %9.3f %8td\n", name, s->fast.size(), f50, s50, f99,
                s99, f50 > 0 ? s50 / f50 : 0, f99 > 0 ? s99 / f99 : 0, waited);
  }
  Pair& pair = Pair::Get();
  pair.slow.recorded->recorder->Flush();
  const StateWriterStats w = pair.slow.recorded->recorder->writer_stats();
  std::printf("slow store writer: %llu written, %llu failed, %llu audit rows coalesced, deepest queue %zu\n",
              static_cast<unsigned long long>(w.written), static_cast<unsigned long long>(w.failed),
              static_cast<unsigned long long>(w.audit_rows_coalesced), w.max_queue_depth);
}

}  // namespace
}  // namespace geoekm

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (benchmark::RunSpecifiedBenchmarks() > 0) geoekm::PrintSummary();  // nothing to summarise when filtered out
  benchmark::Shutdown();
  return 0;
}
