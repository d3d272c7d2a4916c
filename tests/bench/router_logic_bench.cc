// The router's own CPU per unwrap and per wrap, without a network or a
// vault's cryptography in the way: three in-process vaults (FakeKeyVault,
// real RSA-2048 material) behind a port that remembers each answer, so that
// after the first call of each kind an unwrap or wrap at the port is a
// look-up. The router is built as the product builds it (state recorder and
// writer over a real SQLite state file, default tuning); the baseline, in
// the same loop, is the same call made at the preferred vault's port
// directly. Each iteration makes both in a random order (fixed seed) and
// reads the calling thread's CPU clock around each; geoekm's own threads
// (writer, clocks, workers) work only for the router and are charged to it.
// What is left above the baseline is the router: coalescing, key look-up,
// ranking, the hedged race, health, the audit row.
//
// It complements router_overhead_bench (real TLS against vaultsim), where
// the same overhead sits on top of a ~60 us request and the machine's noise
// is as large as the effect.
//
// Each runs warm (the port answers at once) and cold (the port evicts the
// CPU's caches first, as a network wait does: see CacheEvictor).
//
// Run: build/default/tests/bench/router_logic_bench --benchmark_repetitions=3 (about 40 s)
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/bench/or_throw.h"
#include "tests/bench/recorded_router.h"
#include "tests/bench/thread_cpu.h"
#include "tests/router/fake_key_vault.h"
#include "tests/router/test_rsa_key.h"
#include "tests/support/soon.h"
#include "vault_router/vault_router.h"

namespace geoekm {
namespace {

const std::string kKey = "tde";

// Over a network the router's code and data go cold while the caller waits
// for the vault: another process (the vault, the TLS stack) runs meanwhile
// and refills the CPU's caches. With a non-zero size the port writes that
// many KB of a large buffer (a different stretch each time) before it
// answers, so both the router's calls and the direct ones come back to cold
// caches; the port's own eviction time is in the baseline too.
class CacheEvictor {
 public:
  void set_kb(std::size_t kb) { kb_.store(kb); }
  void Evict() {
    const std::size_t bytes = kb_.load() * 1024;
    if (bytes == 0) return;
    std::lock_guard lock(mu_);
    for (std::size_t k = 0; k < bytes; k += 64) ++buffer_[(offset_ + k) % buffer_.size()];
    offset_ = (offset_ + bytes) % buffer_.size();
  }

 private:
  std::atomic<std::size_t> kb_{0};
  std::mutex mu_;
  std::vector<char> buffer_ = std::vector<char>(64 << 20, 1);
  std::size_t offset_ = 0;
};
CacheEvictor& Evictor() {
  static CacheEvictor e;
  return e;
}

// The router's port over a FakeKeyVault that answers each distinct unwrap
// and wrap from memory after the first time.
class RememberingPort final : public KeyVaultKeys {
 public:
  explicit RememberingPort(std::shared_ptr<testing::FakeKeyVault> vault) : vault_(std::move(vault)) {}
  const std::string& vault_name() const override { return vault_->vault_name(); }
  Result<KeyBundle> GetKey(const std::string& name, const std::string& version, Deadline deadline) override {
    return vault_->GetKey(name, version, deadline);
  }
  Result<std::vector<KeyVersionItem>> ListKeyVersions(const std::string& name, Deadline deadline) override {
    return vault_->ListKeyVersions(name, deadline);
  }
  Result<Bytes> WrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                        const SecureBytes& plaintext, Deadline deadline) override {
    return Remembered(wraps_, version, plaintext,
                      [&] { return vault_->WrapKey(name, version, alg, plaintext, deadline); });
  }
  Result<SecureBytes> UnwrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                const Bytes& wrapped, Deadline deadline) override {
    return Remembered(unwraps_, version, wrapped,
                      [&] { return vault_->UnwrapKey(name, version, alg, wrapped, deadline); });
  }

 private:
  // The answer for (version, input), asking the vault the first time only.
  template <typename Answer, typename Input, typename Ask>
  Answer Remembered(std::map<std::string, Answer>& answers, const std::string& version, const Input& input, Ask ask) {
    const std::string key = version + std::string(input.begin(), input.end());
    Evictor().Evict();
    std::lock_guard lock(mu_);
    auto it = answers.find(key);
    if (it == answers.end()) it = answers.emplace(key, OrThrow(ask())).first;
    return it->second;
  }

  const std::shared_ptr<testing::FakeKeyVault> vault_;
  std::mutex mu_;
  std::map<std::string, Bytes> wraps_;
  std::map<std::string, SecureBytes> unwraps_;
};

struct Setup {
  std::shared_ptr<RememberingPort> preferred;
  std::string version;  // the preferred vault's version id of the key
  std::unique_ptr<RecordedRouter> recorded;
  VaultRouter* router = nullptr;
  std::vector<WrappedKey> wrapped;  // 16 DEKs
  std::vector<SecureBytes> deks;

  Setup() {
    const auto material = testing::TestRsaKey::Generate();
    std::vector<RoutedVault> routed;
    for (int i = 0; i < 3; ++i) {
      auto fake = std::make_shared<testing::FakeKeyVault>("v" + std::to_string(i));
      const std::string id = fake->AddVersion(kKey, material);
      auto port = std::make_shared<RememberingPort>(fake);
      if (i == 0) {
        preferred = port;
        version = id;
      }
      routed.push_back(RoutedVault{fake->vault_name(), i, port, fake->vault_name() + ".vault.test", 443});
    }
    recorded = std::make_unique<RecordedRouter>("router-logic", std::move(routed), StateStoreOptions{}, kKey);
    router = recorded->router.get();
    for (std::uint8_t i = 0; i < 16; ++i) {
      deks.emplace_back(32, i);
      wrapped.push_back(OrThrow(router->Wrap(kKey, WrapAlgorithm::kRsaOaep256, deks.back(), testing::Soon())));
    }
  }
  static Setup& Get() {
    static Setup s;
    return s;
  }

  bool Unwrap(std::size_t i) {
    const WrappedKey& w = wrapped[i];
    auto r = router->Unwrap(UnwrapRequest{kKey, w.thumbprint, "", w.algorithm, w.wrapped}, testing::Soon());
    return r.ok() && *r == deks[i];
  }
  bool DirectUnwrap(std::size_t i) {
    auto r = preferred->UnwrapKey(kKey, version, WrapAlgorithm::kRsaOaep256, wrapped[i].wrapped, testing::Soon());
    return r.ok() && *r == deks[i];
  }
  bool Wrap(std::size_t i) {
    auto r = router->Wrap(kKey, WrapAlgorithm::kRsaOaep256, deks[i], testing::Soon());
    return r.ok() && r->thumbprint == wrapped[i].thumbprint;
  }
  bool DirectWrap(std::size_t i) {
    return preferred->WrapKey(kKey, version, WrapAlgorithm::kRsaOaep256, deks[i], testing::Soon()).ok();
  }
};

template <typename RouterCall, typename DirectCall>
void RunPaired(benchmark::State& state, RouterCall router_call, DirectCall direct_call) {
  Setup& s = Setup::Get();
  for (std::size_t i = 0; i < s.deks.size(); ++i) {
    if (!router_call(s, i) || !direct_call(s, i)) {  // warm: every answer is remembered from here on
      state.SkipWithError("a warm-up call failed");
      return;
    }
  }
  std::mt19937 rng(20261207);
  std::array<int, 2> order = {0, 1};
  double cpu[2] = {0, 0};
  std::size_t n = 0;
  const double threads_start = GeoekmThreadsCpuMicros();
  const std::uint64_t coalesced_start = s.recorded->recorder->writer_stats().audit_rows_coalesced;
  for (auto _ : state) {
    const std::size_t i = n % s.deks.size();
    std::shuffle(order.begin(), order.end(), rng);
    for (int op : order) {
      const bool ok = AddThreadCpu(cpu[op], [&] { return op == 0 ? router_call(s, i) : direct_call(s, i); });
      if (!ok) {
        state.SkipWithError("a call failed");
        return;
      }
    }
    ++n;
  }
  s.recorded->recorder->Flush();  // the writer's work for these calls is done and counted
  const double threads_us = GeoekmThreadsCpuMicros() - threads_start;
  const double count = static_cast<double>(n);
  state.counters["router_caller_us"] = cpu[0] / count;
  state.counters["router_threads_us"] = threads_us / count;
  state.counters["port_us"] = cpu[1] / count;
  state.counters["router_own_us"] = (cpu[0] + threads_us - cpu[1]) / count;
  // Audit rows the writer summarised because its queue was full (then a
  // row costs less than one written alone).
  state.counters["audit_coalesced"] =
      static_cast<double>(s.recorded->recorder->writer_stats().audit_rows_coalesced - coalesced_start) / count;
}

void BM_RouterUnwrapOverPort(benchmark::State& state) {
  Evictor().set_kb(static_cast<std::size_t>(state.range(0)));
  RunPaired(state, [](Setup& s, std::size_t i) { return s.Unwrap(i); },
            [](Setup& s, std::size_t i) { return s.DirectUnwrap(i); });
}
void BM_RouterWrapOverPort(benchmark::State& state) {
  Evictor().set_kb(static_cast<std::size_t>(state.range(0)));
  RunPaired(state, [](Setup& s, std::size_t i) { return s.Wrap(i); },
            [](Setup& s, std::size_t i) { return s.DirectWrap(i); });
}

// evict_kb: 0 = warm caches; 4096 = 4 MB written before each answer (cold).
#define GEOEKM_LOGIC_SCENARIO(fn) \
  BENCHMARK(fn)->ArgName("evict_kb")->Arg(0)->Arg(4096)->Unit(benchmark::kMicrosecond)->MinTime(3.0)->UseRealTime()
GEOEKM_LOGIC_SCENARIO(BM_RouterUnwrapOverPort);
GEOEKM_LOGIC_SCENARIO(BM_RouterWrapOverPort);

}  // namespace
}  // namespace geoekm

BENCHMARK_MAIN();
