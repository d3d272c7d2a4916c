// Router failover latency, for the acceptance item "Blackholed primary:
// unwraps complete within about hedge delay + one secondary round trip, not
// the per-try timeout". Everything runs in one process against one vaultsim
// testbed (eastus preferred, then westus, then japaneast), with routers built
// by VaultSetRuntime exactly as the product builds them (real
// KeyVaultClients over TLS, the state store, default RouterTuning), and is
// reported against baselines measured in the same run:
//
//   A  router unwrap, every vault healthy (answered by eastus);
//   B  the same unwrap sent directly through westus's KeyVaultClient: one
//      secondary round trip;
//   blackholed eastus, before ejection: eastus has just gone silent
//      (vaultsim blackhole: reads the request, never answers) and the router
//      still ranks it first. Each iteration builds a fresh runtime, warms it,
//      turns the blackhole on, times one unwrap, turns it off and drops the
//      runtime; only the unwrap is timed. Two warm-ups:
//        served   — a router that has served traffic: Locate (every vault's
//                   versions listed, as any wrap leaves it: a wrap checks
//                   that every vault holds the version) + 5 unwraps,
//                   so eastus has enough latency samples for the adaptive
//                   hedge delay (p95 x factor, clamped to [floor, cap]);
//        one_unwrap — a router warmed by one unwrap only: eastus has too few
//                   samples for a p95 (the hedge delay is 2 x the slowest
//                   of them x factor) and westus's
//                   versions are not listed yet (the hedged attempt lists
//                   them first).
//      Reported against hedge delay + B and against try_timeout. The hedge
//      delay is the one the router used: eastus's Health() snapshot taken
//      just before the blackholed unwrap.
//   blackholed eastus, after ejection: one runtime, eastus blackholed until
//      the router ejects it, then unwraps in steady state; against B.
//   killed eastus, before ejection: like the served case but the eastus
//      process is killed (Testbed::KillVault: connection refused) and
//      restarted after the timed unwrap; against B and hedge delay + B.
//   cold start (time to the first unwrap of a freshly opened runtime that
//      has made no call yet, so no vault has a latency sample): with every
//      vault healthy (the baseline), with eastus blackholed from the start
//      (the hedge delay is seeded from expected_rtt_ms), and the same with
//      expected_rtt_ms set to the hedge cap, which reproduces the old seed
//      (the cap until 5 samples exist). Only the first unwrap is timed; it
//      includes the token fetch, TLS handshakes and key listing.
//   killed eastus, its own client: how long eastus's KeyVaultClient, as
//      the router builds it, takes to return "connection refused" (it does
//      not retry an unreachable vault: KeyVaultClientOptions::
//      retry_unreachable is off), which is why a killed primary is failed
//      over from at once rather than escaped by the hedge.
//
// Run: build/default/tests/bench/router_failover_bench
//      --benchmark_repetitions=3  (starts its own testbed; ~25 s, ~70 s with
// the 3 repetitions). At the end it prints a table of the median, min and
// max of every scenario's unwraps — over every timed unwrap of every
// repetition, Google Benchmark's own trial runs of the min_time benchmarks
// included, so repetitions just add samples — and the ratios of the
// medians. Times are wall-clock (manual timing around the unwrap only).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/bench/bench_testbed.h"
#include "tests/support/vaultsim_admin_client.h"
#include "vault_router/latency_tracker.h"

namespace geoekm {
namespace {

using std::chrono::steady_clock;

constexpr const char* kPrimary = "eastus";
constexpr const char* kSecondary = "westus";
constexpr int kServedWarmUnwraps = 5;

Deadline CallerDeadline() { return Deadline::After(std::chrono::seconds(30)); }

double MillisSince(steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(steady_clock::now() - start).count();
}

// What one scenario measured, over every iteration of every repetition.
struct Samples {
  std::vector<double> unwrap_ms;
  std::vector<double> hedge_delay_ms;  // before-ejection scenarios: eastus's hedge delay at the unwrap
  int answered_by_hedge = 0;           // unwraps won by a hedged attempt
  int answered_after_failover = 0;     // unwraps whose race saw a vault-level failure first
  std::string note;
};

std::map<std::string, Samples>& Recorded() {
  static std::map<std::string, Samples> recorded;
  return recorded;
}

struct Fixture : BenchTestbed {  // all vaults healthy: baselines A and B
  SecureBytes dek = SecureBytes(32, 7);
  WrappedKey wrapped;
  std::string secondary_version;  // westus's version id of the wrapping key version

  static Fixture& Get() {
    static Fixture f = Make();
    return f;
  }

  static Fixture Make() {
    Fixture f;
    f.StartTestbed();
    f.wrapped = OrThrow(f.runtime->router().Wrap(f.testbed->info().key_name, WrapAlgorithm::kRsaOaep256, f.dek,
                                                 CallerDeadline()));
    f.secondary_version = f.VersionIn(f.wrapped, kSecondary, CallerDeadline());
    return f;
  }

  UnwrapRequest Request() const {
    return UnwrapRequest{wrapped.key_name, wrapped.thumbprint, "", wrapped.algorithm, wrapped.wrapped};
  }

  testing::VaultSimAdminClient Admin(const std::string& vault) const {
    return testbed->Admin(vault);
  }
};

// One unwrap through `router`, timed. False (the benchmark is skipped with
// the reason) if it failed or returned other bytes.
bool TimedUnwrap(const Fixture& f, VaultRouter& router, benchmark::State& state, double* ms) {
  const auto start = steady_clock::now();
  auto plain = router.Unwrap(f.Request(), CallerDeadline());
  *ms = MillisSince(start);
  if (!plain.ok()) {
    state.SkipWithError(("unwrap failed after " + std::to_string(*ms) + " ms: " + plain.status().ToString()).c_str());
    return false;
  }
  if (*plain != f.dek) {
    state.SkipWithError("unwrap returned other bytes");
    return false;
  }
  return true;
}

enum class Warmth { kServed, kOneUnwrap, kCold };

// A runtime that has never seen a failure, warmed as described at the top.
// kCold: opened only, no call made yet.
std::unique_ptr<VaultSetRuntime> FreshRuntime(const Fixture& f, const VaultSetConfig& config, Warmth warmth,
                                              benchmark::State& state) {
  auto rt = VaultSetRuntime::Open(config);
  if (!rt.ok()) {
    state.SkipWithError(("opening a runtime: " + rt.status().ToString()).c_str());
    return nullptr;
  }
  VaultRouter& router = (*rt)->router();
  if (warmth == Warmth::kServed) {
    auto located = router.Locate(f.wrapped.key_name, f.wrapped.thumbprint, CallerDeadline());
    if (!located.ok() || located->held_by.size() != f.config.vaults.size()) {
      state.SkipWithError("warm-up Locate did not find the key version in every vault");
      return nullptr;
    }
  }
  const int unwraps = warmth == Warmth::kServed ? kServedWarmUnwraps : warmth == Warmth::kOneUnwrap ? 1 : 0;
  for (int i = 0; i < unwraps; ++i) {
    double ms = 0;
    if (!TimedUnwrap(f, router, state, &ms)) return nullptr;
  }
  return std::move(rt).value();
}

std::chrono::milliseconds HedgeDelayOf(const VaultRouter& router, const std::string& vault) {
  for (const VaultHealthSnapshot& s : router.Health()) {
    if (s.vault == vault) return s.hedge_delay;
  }
  return std::chrono::milliseconds(-1);
}

// How the unwraps of `scenario` were answered, from the router's counters.
void CountAnswers(Samples& s, const RouterStats& before, const RouterStats& after) {
  if (after.hedge_wins > before.hedge_wins) ++s.answered_by_hedge;
  if (after.failovers > before.failovers) ++s.answered_after_failover;
}

// "served by eastus: N of N" from vaultsim's own request counters.
std::string ServedBy(const Fixture& f, const std::string& vault, std::int64_t before, benchmark::IterationCount n) {
  const std::int64_t served = f.Admin(vault).RequestCount("unwrapkey") - before;
  return "unwrapkey requests at " + vault + ": " + std::to_string(served) + " for " + std::to_string(n) + " unwraps";
}

// --- baselines --------------------------------------------------------------

void BM_A_RouterAllHealthy(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  Samples& s = Recorded()["A"];
  const std::int64_t before = f.Admin(kPrimary).RequestCount("unwrapkey");
  for (auto _ : state) {
    double ms = 0;
    if (!TimedUnwrap(f, f.runtime->router(), state, &ms)) break;
    state.SetIterationTime(ms / 1000.0);
    s.unwrap_ms.push_back(ms);
  }
  s.note = ServedBy(f, kPrimary, before, state.iterations());
  state.SetLabel(s.note);
}

void BM_B_DirectSecondaryClient(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  Samples& s = Recorded()["B"];
  std::shared_ptr<KeyVaultKeys> client = f.runtime->vault(kSecondary);
  for (auto _ : state) {
    const auto start = steady_clock::now();
    auto plain = client->UnwrapKey(f.wrapped.key_name, f.secondary_version, f.wrapped.algorithm, f.wrapped.wrapped,
                                   CallerDeadline());
    const double ms = MillisSince(start);
    if (!plain.ok() || *plain != f.dek) {
      state.SkipWithError(plain.ok() ? "direct unwrap returned other bytes" : plain.status().ToString().c_str());
      break;
    }
    state.SetIterationTime(ms / 1000.0);
    s.unwrap_ms.push_back(ms);
  }
}

// --- blackholed primary -----------------------------------------------------

// A fault of the primary: `on` puts it on, `off` takes it off; each returns
// what went wrong, or an empty string.
struct PrimaryFault {
  std::function<std::string(Fixture&)> on, off;
};

PrimaryFault Blackhole() {
  return {[](Fixture& f) {
            return f.Admin(kPrimary).SetBlackhole(true) ? "" : std::string("could not blackhole eastus");
          },
          [](Fixture& f) {
            return f.Admin(kPrimary).SetBlackhole(false) ? "" : std::string("could not clear eastus's blackhole");
          }};
}

PrimaryFault Kill() {
  auto failed = [](const char* what, const Status& s) { return s.ok() ? "" : what + (": " + s.ToString()); };
  return {[failed](Fixture& f) { return failed("KillVault", f.testbed->KillVault(kPrimary)); },
          [failed](Fixture& f) { return failed("StartVault", f.testbed->StartVault(kPrimary)); }};
}

// Per iteration: a fresh runtime (never saw a failure, eastus ranked first),
// the fault on, one timed unwrap, the fault off, the runtime dropped.
void RunBeforeEjection(benchmark::State& state, Samples& s, Warmth warmth, const PrimaryFault& fault,
                       const VaultSetConfig* config = nullptr) {
  Fixture& f = Fixture::Get();
  for (auto _ : state) {
    std::unique_ptr<VaultSetRuntime> rt = FreshRuntime(f, config ? *config : f.config, warmth, state);
    if (!rt) break;
    VaultRouter& router = rt->router();
    const std::chrono::milliseconds hedge = HedgeDelayOf(router, kPrimary);
    const RouterStats before = router.stats();
    if (std::string error = fault.on(f); !error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
    double ms = 0;
    const bool ok = TimedUnwrap(f, router, state, &ms);
    const RouterStats after = router.stats();
    // The fault goes off first: clearing a blackhole drops the silent
    // connection, so the abandoned eastus attempt ends and the runtime is
    // destroyed at once (it would otherwise wait up to try_timeout).
    const std::string off_error = fault.off(f);
    rt.reset();
    if (!ok) break;
    if (!off_error.empty()) {
      state.SkipWithError(off_error.c_str());
      break;
    }
    state.SetIterationTime(ms / 1000.0);
    s.unwrap_ms.push_back(ms);
    s.hedge_delay_ms.push_back(static_cast<double>(hedge.count()));
    CountAnswers(s, before, after);
  }
}

void BM_BlackholedPrimaryBeforeEjection(benchmark::State& state, Warmth warmth) {
  RunBeforeEjection(state,
                    Recorded()[warmth == Warmth::kServed ? "blackhole_before_served" : "blackhole_before_one_unwrap"],
                    warmth, Blackhole());
}

void BM_BlackholedPrimaryAfterEjection(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  Samples& s = Recorded()["blackhole_after"];
  std::unique_ptr<VaultSetRuntime> rt = FreshRuntime(f, f.config, Warmth::kServed, state);
  if (!rt) return;
  VaultRouter& router = rt->router();
  const PrimaryFault blackhole = Blackhole();
  if (std::string error = blackhole.on(f); !error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  int to_eject = 0;
  for (; to_eject < 20 && router.HealthOf(kPrimary) != VaultHealthState::kEjected; ++to_eject) {
    double ms = 0;
    if (!TimedUnwrap(f, router, state, &ms)) break;
  }
  const bool ejected = router.HealthOf(kPrimary) == VaultHealthState::kEjected;
  if (!ejected) state.SkipWithError("eastus was not ejected after 20 blackholed unwraps");
  const std::int64_t before = f.Admin(kSecondary).RequestCount("unwrapkey");
  if (ejected) {
    for (auto _ : state) {
      double ms = 0;
      if (!TimedUnwrap(f, router, state, &ms)) break;
      state.SetIterationTime(ms / 1000.0);
      s.unwrap_ms.push_back(ms);
    }
    s.note = "ejected after " + std::to_string(to_eject) + " unwraps; " +
             ServedBy(f, kSecondary, before, state.iterations());
    state.SetLabel(s.note);
  }
  if (std::string error = blackhole.off(f); !error.empty()) state.SkipWithError(error.c_str());
  rt.reset();
}

// --- cold start ---------------------------------------------------------------

enum class ColdStart { kHealthy, kBlackholed, kBlackholedCapSeed };

// Per iteration: a runtime opened and, before any other call, one timed
// unwrap (eastus blackholed first unless kHealthy).
void BM_ColdStartFirstUnwrap(benchmark::State& state, ColdStart mode) {
  Fixture& f = Fixture::Get();
  VaultSetConfig config = f.config;
  if (mode == ColdStart::kBlackholedCapSeed) config.router.expected_rtt = config.router.hedge_delay_cap;
  const PrimaryFault none{[](Fixture&) { return std::string(); }, [](Fixture&) { return std::string(); }};
  RunBeforeEjection(state,
                    Recorded()[mode == ColdStart::kHealthy      ? "cold_healthy"
                               : mode == ColdStart::kBlackholed ? "cold_blackhole"
                                                                : "cold_blackhole_cap_seed"],
                    Warmth::kCold, mode == ColdStart::kHealthy ? none : Blackhole(), &config);
}

// --- killed primary ---------------------------------------------------------

void BM_KilledPrimaryBeforeEjection(benchmark::State& state) {
  RunBeforeEjection(state, Recorded()["killed_before"], Warmth::kServed, Kill());
}

// Why a killed vault is failed over from at once: how long eastus's own
// KeyVaultClient (kept-alive connection warmed first, as in the router)
// takes to return its error once the process is gone. The router's clients
// do not retry an unreachable vault (retry_unreachable off).
void BM_KilledPrimaryDirectClientGivesUp(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  Samples& s = Recorded()["killed_direct_client"];
  std::shared_ptr<KeyVaultKeys> client = f.runtime->vault(kPrimary);
  auto unwrap = [&] {
    return client->UnwrapKey(f.wrapped.key_name, f.wrapped.version, f.wrapped.algorithm, f.wrapped.wrapped,
                             CallerDeadline());
  };
  const PrimaryFault kill = Kill();
  for (auto _ : state) {
    if (auto warm = unwrap(); !warm.ok()) {
      state.SkipWithError(("warm-up unwrap at eastus: " + warm.status().ToString()).c_str());
      break;
    }
    if (std::string error = kill.on(f); !error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
    const auto start = steady_clock::now();
    auto failed = unwrap();
    const double ms = MillisSince(start);
    const std::string off_error = kill.off(f);
    if (failed.ok() || !off_error.empty()) {
      state.SkipWithError(failed.ok() ? "an unwrap at a killed vault succeeded" : off_error.c_str());
      break;
    }
    state.SetIterationTime(ms / 1000.0);
    s.unwrap_ms.push_back(ms);
    s.note = "last error: " + failed.status().ToString();
  }
}

BENCHMARK(BM_A_RouterAllHealthy)->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(1.0);
BENCHMARK(BM_B_DirectSecondaryClient)->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(1.0);
BENCHMARK_CAPTURE(BM_BlackholedPrimaryBeforeEjection, served, Warmth::kServed)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(15);
BENCHMARK_CAPTURE(BM_BlackholedPrimaryBeforeEjection, one_unwrap, Warmth::kOneUnwrap)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(5);
BENCHMARK(BM_BlackholedPrimaryAfterEjection)->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(1.0);
BENCHMARK_CAPTURE(BM_ColdStartFirstUnwrap, healthy, ColdStart::kHealthy)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(8);
BENCHMARK_CAPTURE(BM_ColdStartFirstUnwrap, blackholed, ColdStart::kBlackholed)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(8);
BENCHMARK_CAPTURE(BM_ColdStartFirstUnwrap, blackholed_cap_seed, ColdStart::kBlackholedCapSeed)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(5);
BENCHMARK(BM_KilledPrimaryBeforeEjection)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(8);
BENCHMARK(BM_KilledPrimaryDirectClientGivesUp)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(4);

// --- the table --------------------------------------------------------------

struct Summary {
  std::size_t n = 0;
  double median = 0, min = 0, max = 0;
};

Summary Summarize(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  s.median = v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  s.min = v.front();
  s.max = v.back();
  return s;
}

const Samples* Find(const std::string& scenario) {
  auto it = Recorded().find(scenario);
  return it == Recorded().end() || it->second.unwrap_ms.empty() ? nullptr : &it->second;
}

void PrintRow(const char* label, const Summary& s) {
  std::printf("  %-46s %4zu %9.2f %9.2f %9.2f\n", label, s.n, s.median, s.min, s.max);
}

void PrintTable(const RouterTuning& tuning) {
  std::printf("\nrouter failover: wall-clock ms per unwrap over all iterations (defaults: hedge delay = "
              "eastus p95 x %.1f in [%lld, %lld] ms, below %zu samples seeded from expected_rtt %lld ms; "
              "try_timeout %lld ms)\n",
              tuning.hedge_latency_factor, static_cast<long long>(tuning.hedge_delay_floor.count()),
              static_cast<long long>(tuning.hedge_delay_cap.count()), LatencyTracker::kMinSamples,
              static_cast<long long>(tuning.expected_rtt.count()), static_cast<long long>(tuning.try_timeout.count()));
  std::printf("  %-46s %4s %9s %9s %9s\n", "scenario", "n", "median", "min", "max");
  const Samples* a = Find("A");
  const Samples* b = Find("B");
  if (a) PrintRow("A  router, all healthy (eastus answers)", Summarize(a->unwrap_ms));
  if (b) PrintRow("B  westus client, direct (1 secondary RTT)", Summarize(b->unwrap_ms));
  const double b_ms = b ? Summarize(b->unwrap_ms).median : 0;
  const double try_ms = static_cast<double>(tuning.try_timeout.count());
  struct Row {
    const char* key;
    const char* label;
    bool vs_b = true;  // a ratio against B makes sense
  };
  const Row rows[] = {{"blackhole_before_served", "blackholed eastus, before ejection (served)"},
                      {"blackhole_before_one_unwrap", "blackholed eastus, before ejection (1 unwrap)"},
                      {"blackhole_after", "blackholed eastus, after ejection"},
                      {"cold_healthy", "cold start, all healthy (C)"},
                      {"cold_blackhole", "cold start, blackholed eastus"},
                      {"cold_blackhole_cap_seed", "cold start, blackholed eastus, cap seed (old)"},
                      {"killed_before", "killed eastus, before ejection"},
                      {"killed_direct_client", "killed eastus: its client returns the error", false}};
  for (const Row& r : rows) {
    if (const Samples* s = Find(r.key)) PrintRow(r.label, Summarize(s->unwrap_ms));
  }
  std::printf("ratios (medians):\n");
  if (a && b) std::printf("  A / B: %.3f\n", Summarize(a->unwrap_ms).median / b_ms);
  for (const Row& r : rows) {
    const Samples* s = Find(r.key);
    if (!s || !b) continue;
    if (!r.vs_b) {
      std::printf("  %s: %s\n", r.label, s->note.c_str());
      continue;
    }
    const double m = Summarize(s->unwrap_ms).median;
    std::printf("  %s:\n    / B = %.2f", r.label, m / b_ms);
    if (!s->hedge_delay_ms.empty()) {
      const Summary h = Summarize(s->hedge_delay_ms);
      std::printf("; hedge delay used %.0f ms (min %.0f, max %.0f); / (hedge delay + B = %.2f ms) = %.3f; "
                  "/ try_timeout = %.4f\n    answered by the hedge in %d of %zu, after a failover in %d of %zu",
                  h.median, h.min, h.max, h.median + b_ms, m / (h.median + b_ms), m / try_ms, s->answered_by_hedge,
                  s->unwrap_ms.size(), s->answered_after_failover, s->unwrap_ms.size());
    }
    if (!s->note.empty()) std::printf("; %s", s->note.c_str());
    std::printf("\n");
  }
  const Samples* c = Find("cold_healthy");
  const Samples* cold = Find("cold_blackhole");
  const Samples* capped = Find("cold_blackhole_cap_seed");
  if (c && cold) {
    std::printf("  cold start, blackholed eastus / C = %.2f\n",
                Summarize(cold->unwrap_ms).median / Summarize(c->unwrap_ms).median);
  }
  if (cold && capped) {
    std::printf("  cold start, blackholed eastus: seeded / cap seed (old) = %.3f\n",
                Summarize(cold->unwrap_ms).median / Summarize(capped->unwrap_ms).median);
  }
  if (a && !a->note.empty()) std::printf("  A: %s\n", a->note.c_str());
}

}  // namespace
}  // namespace geoekm

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!geoekm::Find("B")) {
    std::printf("ratios: n/a (baseline B was filtered out or failed)\n");
    return 0;
  }
  geoekm::PrintTable(geoekm::Fixture::Get().config.router);
  return 0;
}
