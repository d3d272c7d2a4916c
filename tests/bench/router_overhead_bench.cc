// What the router costs on the healthy path, and what geoekm costs in CPU.
// One process, one vaultsim testbed (eastus preferred), a runtime built by
// VaultSetRuntime exactly as the product builds it (real KeyVaultClients over
// TLS, the state store, default tuning). Everything is measured in the same
// run, against baselines measured in that run:
//
//   latency  Router unwrap vs one direct call through eastus's own
//            KeyVaultClient (the client the router uses), at 1 and 16
//            concurrent callers: median and p99 ratios, from separate
//            scenarios and from a paired one (router and direct calls
//            alternating on every caller, timed at the same moments).
//   load     Unwraps per second through the router at 1, 8, 16 and 64
//            callers (and direct, for comparison), with the process's
//            context switches per unwrap: a caller blocked on a lock or a
//            hand-over shows there.
//   CPU      geoekm's CPU per operation — process CPU time of every thread
//            (router workers, clients, state store, the calling threads),
//            not the vault's, which runs in another process — for a router
//            unwrap and a router wrap of an already-recorded version, next
//            to a direct client unwrap, one raw kept-alive HTTPS unwrap
//            (RawUnwrapSession: no client logic at all) and the RSA-2048
//            private-key operation itself (what `openssl speed rsa2048`
//            calls "sign", run here in-process with OpenSSL); and how much
//            of it each of geoekm's named threads spent. The paired CPU
//            scenarios make router, direct and raw calls (and the direct
//            call again, as a control) in a shuffled order on one caller
//            (see RunPairedCpu): their ratios are the stable ones. They
//            also make a raw unwrap written as geoekm's transport writes
//            it (one write, RawUnwrapSession::UnwrapInOneWrite), a second
//            baseline next to issue 10's (Poco's sendRequest). The
//            stream CPU scenarios make the same calls in runs of 16 of one
//            kind, and also report the calls that came right after a call
//            of the same kind: warm against warm.
//
// Each caller unwraps from a pool of 256 DEKs so that concurrent callers
// never send identical unwraps (which the router would coalesce): caller t
// of n takes DEK t + n*i mod 256, which never collides for n dividing 256.
//
// Run: build/default/tests/bench/router_overhead_bench --benchmark_repetitions=3
//      --benchmark_enable_random_interleaving=true   (starts its own testbed;
// about 3 minutes). At the end it prints the table the README shows: medians
// and p99s over every timed operation of every repetition, and the ratios.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <array>
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

#include "keyvault/identity/vault_authenticator.h"
#include "keyvault/keys/key_vault_client.h"
#include "provider/runtime/key_vault_client_factory.h"
#include "tests/bench/bench_testbed.h"
#include "tests/bench/thread_cpu.h"
#include "tests/support/raw_unwrap_session.h"

namespace geoekm {
namespace {

using std::chrono::steady_clock;

constexpr const char* kPrimary = "eastus";
constexpr std::size_t kPool = 256;

Deadline CallerDeadline() { return Deadline::After(std::chrono::seconds(30)); }

struct Fixture : BenchTestbed {
  std::shared_ptr<KeyVaultKeys> primary;  // the client the router uses for eastus
  std::vector<SecureBytes> deks;
  std::vector<WrappedKey> wrapped;
  std::string primary_version;  // eastus's version id of the wrapping key version
  testing::RawUnwrapTarget raw;

  static Fixture& Get() {
    static Fixture f = Make();
    return f;
  }

  static Fixture Make() {
    Fixture f;
    f.StartTestbed();
    f.primary = f.runtime->vault(kPrimary);
    if (!f.primary) throw std::runtime_error("no eastus client");
    VaultRouter& router = f.runtime->router();
    for (std::size_t i = 0; i < kPool; ++i) {
      SecureBytes dek(32, static_cast<std::uint8_t>(i));
      dek[1] = static_cast<std::uint8_t>(i >> 8);
      f.wrapped.push_back(
          OrThrow(router.Wrap(f.testbed->info().key_name, WrapAlgorithm::kRsaOaep256, dek, CallerDeadline())));
      f.deks.push_back(std::move(dek));
    }
    f.primary_version = f.VersionIn(f.wrapped[0], kPrimary, CallerDeadline());
    const VaultConfig& v = f.config.vaults.front();
    // The token comes after the vault's challenge, which one client call meets.
    auto auth = OrThrow(VaultAuthenticator::Create(f.config.auth));
    auto client = OrThrow(MakeKeyVaultClient(v, f.config.router, auth));
    OrThrow(client->GetKey(f.wrapped[0].key_name, f.primary_version, CallerDeadline()));
    const SecureString token = OrThrow(auth->CachedOrFreshToken(v.host, CallerDeadline()));
    f.raw = {v.host,          v.port,           v.connect_to_host, v.connect_to_port, v.ca_bundle,
             token.c_str(),   f.wrapped[0].key_name, f.primary_version, "RSA-OAEP-256"};
    return f;
  }

  // Writes what the state writer holds (audit rows wait for up to 512 rows
  // or 1 s), so that each scenario's CPU readings charge it for its own rows:
  // not for the fixture's 256 wraps nor the previous scenario's tail.
  void SettleWriter() { (void)runtime->store(); }

  UnwrapRequest Request(std::size_t i) const {
    const WrappedKey& w = wrapped[i];
    return UnwrapRequest{w.key_name, w.thumbprint, "", w.algorithm, w.wrapped};
  }
};

// Per-operation wall-clock latencies and CPU per operation, by scenario,
// over every repetition.
struct Recorded {
  std::mutex mu;
  std::map<std::string, std::vector<double>> latency_ms;
  std::map<std::string, std::vector<double>> cpu_us_per_op;
  std::map<std::string, std::vector<double>> ops_per_s;
  // Context switches of the whole process per operation (voluntary, involuntary).
  std::map<std::string, std::vector<double>> voluntary_switches_per_op;
  std::map<std::string, std::vector<double>> involuntary_switches_per_op;
  // Where the CPU went, by thread name: CPU per operation, per repetition.
  std::map<std::string, std::map<std::string, std::vector<double>>> cpu_us_by_thread;
  // Paired CPU scenarios: total CPU (us) and operations, by kind of call.
  std::map<std::string, double> paired_cpu_us;
  std::map<std::string, double> paired_background_us;  // geoekm's own threads, charged to the router's calls
  std::map<std::string, std::map<std::string, double>> paired_background_by_thread;  // the same, by thread name
  // Stream scenarios: calling-thread CPU and calls, by kind of call, of the
  // calls that came right after a call of the same kind.
  std::map<std::string, double> warm_cpu_us;
  std::map<std::string, double> warm_ops;
  std::map<std::string, double> paired_ops;
};
Recorded& Record() {
  static Recorded r;
  return r;
}

// The process's context switches so far (every thread's, exited ones too):
// a caller that blocks on a lock or a hand-over switches out voluntarily.
std::pair<double, double> ProcessSwitches() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return {static_cast<double>(u.ru_nvcsw), static_cast<double>(u.ru_nivcsw)};
}

// Runs `op(i)` for each iteration of each of the benchmark's threads, timing
// each, and records latencies, throughput and process CPU and
// context switches per operation.
// Google Benchmark starts and ends every thread's loop at a barrier, so
// thread 0's CPU readings around its loop span everyone's.
template <typename Op>
void RunScenario(benchmark::State& state, const std::string& scenario, Op op) {
  const std::size_t threads = static_cast<std::size_t>(state.threads());
  const std::size_t t = static_cast<std::size_t>(state.thread_index());
  std::vector<double> mine;
  Fixture& f = Fixture::Get();
  // Not the rows of the fixture or of the scenario before (a scenario's own
  // are committed, and charged, as they fall due within it).
  if (t == 0) f.SettleWriter();  // before the loop's start barrier: no call runs meanwhile
  const double cpu_start = t == 0 ? ProcessCpuMicros() : 0;
  const std::pair<double, double> switches_start = t == 0 ? ProcessSwitches() : std::pair<double, double>{};
  const std::map<std::string, double> by_thread_start = t == 0 ? CpuByThreadName() : std::map<std::string, double>{};
  const auto wall_start = steady_clock::now();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto start = steady_clock::now();
    if (!op((t + threads * i) % kPool)) {
      state.SkipWithError((scenario + " failed").c_str());
      break;
    }
    mine.push_back(std::chrono::duration<double, std::milli>(steady_clock::now() - start).count());
    ++i;
  }
  const double wall_s = std::chrono::duration<double>(steady_clock::now() - wall_start).count();
  const std::map<std::string, double> by_thread_end = t == 0 ? CpuByThreadName() : std::map<std::string, double>{};
  Recorded& r = Record();
  std::lock_guard lock(r.mu);
  auto& all = r.latency_ms[scenario];
  all.insert(all.end(), mine.begin(), mine.end());
  if (t == 0 && state.iterations() > 0) {
    const double ops = static_cast<double>(state.iterations()) * static_cast<double>(threads);
    const double cpu = (ProcessCpuMicros() - cpu_start) / ops;
    r.cpu_us_per_op[scenario].push_back(cpu);
    r.ops_per_s[scenario].push_back(ops / wall_s);
    const std::pair<double, double> switches_end = ProcessSwitches();
    r.voluntary_switches_per_op[scenario].push_back((switches_end.first - switches_start.first) / ops);
    r.involuntary_switches_per_op[scenario].push_back((switches_end.second - switches_start.second) / ops);
    for (const auto& [name, us] : by_thread_end) {
      auto before = by_thread_start.find(name);
      r.cpu_us_by_thread[scenario][name].push_back((us - (before == by_thread_start.end() ? 0 : before->second)) /
                                                   ops);
    }
    state.counters["cpu_us_per_op"] = cpu;
  }
}

std::string Named(const char* what, benchmark::State& state) {
  return std::string(what) + "@" + std::to_string(state.threads());
}

// One unwrap of DEK i through the router / through eastus's own client;
// true when the right DEK came back.
bool RouterUnwrap(Fixture& f, std::size_t i) {
  auto plain = f.runtime->router().Unwrap(f.Request(i), CallerDeadline());
  return plain.ok() && *plain == f.deks[i];
}
bool DirectUnwrap(Fixture& f, std::size_t i) {
  auto plain = f.primary->UnwrapKey(f.wrapped[i].key_name, f.primary_version, WrapAlgorithm::kRsaOaep256,
                                    f.wrapped[i].wrapped, CallerDeadline());
  return plain.ok() && *plain == f.deks[i];
}

void BM_RouterUnwrap(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  RunScenario(state, Named("router unwrap", state), [&](std::size_t i) { return RouterUnwrap(f, i); });
}

void BM_DirectUnwrap(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  RunScenario(state, Named("direct unwrap", state), [&](std::size_t i) { return DirectUnwrap(f, i); });
}

// Router and direct unwraps alternating on every calling thread (which one
// goes first alternates too), so both are timed under the same load and the
// same moments of the shared machine: the separate scenarios above each get
// their own second, and on a 2-core VM that shares its cores with the vault
// simulator one second's conditions differ from the next by more than the
// 5% being measured. This is the ratio the README reports first.
void BM_PairedUnwrap(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  const std::size_t threads = static_cast<std::size_t>(state.threads());
  const std::size_t t = static_cast<std::size_t>(state.thread_index());
  // As RunScenario: the rows of the scenario before (64 callers' worth) are
  // written before this one starts, not while it runs.
  if (t == 0) f.SettleWriter();
  std::vector<double> router_ms, direct_ms;
  auto timed = [](std::vector<double>& into, auto op) {
    const auto start = steady_clock::now();
    const bool ok = op();
    into.push_back(std::chrono::duration<double, std::milli>(steady_clock::now() - start).count());
    return ok;
  };
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = (t + threads * i) % kPool;
    auto router = [&] { return timed(router_ms, [&] { return RouterUnwrap(f, k); }); };
    auto direct = [&] { return timed(direct_ms, [&] { return DirectUnwrap(f, k); }); };
    const bool ok = i % 2 == 0 ? (router() && direct()) : (direct() && router());
    if (!ok) {
      state.SkipWithError("paired unwrap failed");
      break;
    }
    ++i;
  }
  Recorded& r = Record();
  std::lock_guard lock(r.mu);
  for (auto& [name, mine] : {std::pair{Named("paired router unwrap", state), &router_ms},
                             std::pair{Named("paired direct unwrap", state), &direct_ms}}) {
    auto& all = r.latency_ms[name];
    all.insert(all.end(), mine->begin(), mine->end());
  }
}

// A wrap of DEK i (an already-recorded key version) through the router /
// through eastus's own client; true when it succeeded.
bool RouterWrap(Fixture& f, std::size_t i) {
  return f.runtime->router().Wrap(f.wrapped[i].key_name, WrapAlgorithm::kRsaOaep256, f.deks[i], CallerDeadline()).ok();
}
bool DirectWrap(Fixture& f, std::size_t i) {
  return f.primary
      ->WrapKey(f.wrapped[i].key_name, f.primary_version, WrapAlgorithm::kRsaOaep256, f.deks[i], CallerDeadline())
      .ok();
}

void BM_RouterWrap(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  RunScenario(state, Named("router wrap", state), [&](std::size_t i) { return RouterWrap(f, i); });
}

void BM_DirectWrap(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  RunScenario(state, Named("direct wrap", state), [&](std::size_t i) { return DirectWrap(f, i); });
}

// "" for single calls, " (runs of N)" for runs of N calls of one kind.
std::string RunsSuffix(std::size_t run_length) {
  return run_length > 1 ? " (runs of " + std::to_string(run_length) + ")" : "";
}

// CPU per operation with every kind of call made at the same moments: the
// separate CPU scenarios each get their own second, and on this 2-core VM a
// thread's CPU for the same work varies by up to 2x from one second to the
// next (whatever else the cores run meanwhile), far more than the 25% being
// measured. One caller makes a router call, the same call through eastus's
// own client, a raw kept-alive HTTPS unwrap and, as a control, the direct
// call once more, and reads its own thread's CPU around each. geoekm's named
// threads (state writer, workers, alarm clocks, prober) work only for the
// router here, so their CPU over the run is charged to the router's calls.
//
// The order is a fresh random permutation on every iteration (fixed seed).
// A call's CPU depends on which call came just before it: with a rotating
// order each kind mostly follows one other kind, and identical direct calls
// in two slots measured 60 and 80 us (a call right after the raw request,
// which uses another connection, cost about 20 us more). Shuffled, every
// kind follows every other equally often; the control (direct / direct
// again) shows what bias and noise are left.
//
// With run_length > 1 each kind makes that many calls in a row (a stream,
// as a drill or a burst of database opens does) before the next kind: only
// the first of each run finds the caches holding another kind's code and
// data. Its figures are recorded apart, named with the run length.
template <typename RouterOp, typename DirectOp>
void RunPairedCpu(benchmark::State& state, const std::string& what, RouterOp router_op, DirectOp direct_op,
                  std::size_t run_length = 1) {
  Fixture& f = Fixture::Get();
  testing::RawUnwrapSession session(f.raw);
  testing::RawUnwrapSession one_write_session(f.raw);  // its own connection
  enum Kind { kRouter, kDirect, kRaw, kControl, kRawOneWrite, kKinds };
  const std::string runs = RunsSuffix(run_length);
  const std::string names[kKinds] = {"router " + what + runs, "direct " + what + runs, "raw HTTPS unwrap" + runs,
                                     "direct " + what + runs + " (control)", "raw HTTPS unwrap, one write" + runs};
  double cpu[kKinds] = {0, 0, 0, 0, 0};
  double warm[kKinds] = {0, 0, 0, 0, 0};  // calls right after one of the same kind (run_length > 1)
  std::mt19937 shuffle_rng(20261207);
  std::array<int, kKinds> order = {kRouter, kDirect, kRaw, kControl, kRawOneWrite};
  f.SettleWriter();
  const std::map<std::string, double> background_start = CpuByThreadName();
  std::size_t i = 0;
  for (auto _ : state) {
    std::shuffle(order.begin(), order.end(), shuffle_rng);
    bool ok = true;
    for (std::size_t j = 0; j < order.size() && ok; ++j) {
      const int op = order[j];
      for (std::size_t n = 0; n < run_length && ok; ++n) {
        const std::size_t k = (i + n) % kPool;
        double call = 0;
        ok = AddThreadCpu(call, [&] {
          switch (op) {
            case kRouter: return router_op(f, k);
            case kRaw: return session.Unwrap(f.wrapped[k].wrapped);
            case kRawOneWrite: return one_write_session.UnwrapInOneWrite(f.wrapped[k].wrapped);
            default: return direct_op(f, k);
          }
        });
        cpu[op] += call;
        if (n > 0) warm[op] += call;
      }
    }
    if (!ok) {
      state.SkipWithError((what + ": paired CPU call failed").c_str());
      return;
    }
    i += run_length;
  }
  f.SettleWriter();
  const std::map<std::string, double> background_end = CpuByThreadName();
  Recorded& r = Record();
  std::lock_guard lock(r.mu);
  for (int op = 0; op < kKinds; ++op) {
    r.paired_cpu_us[names[op]] += cpu[op];
    r.paired_ops[names[op]] += static_cast<double>(i);
    r.warm_cpu_us[names[op]] += warm[op];
    r.warm_ops[names[op]] += static_cast<double>(i - i / run_length);
  }
  for (const auto& [name, us] : background_end) {
    if (name.rfind("geoekm-", 0) != 0) continue;  // geoekm's own threads only
    auto before = background_start.find(name);
    const double spent = us - (before == background_start.end() ? 0 : before->second);
    r.paired_background_us[names[kRouter]] += spent;
    r.paired_background_by_thread[names[kRouter]][name.substr(7)] += spent;
  }
}

void BM_PairedCpuUnwrap(benchmark::State& state) {
  RunPairedCpu(state, "unwrap", RouterUnwrap, DirectUnwrap);
}

constexpr std::size_t kStreamRun = 16;

void BM_StreamCpuUnwrap(benchmark::State& state) {
  RunPairedCpu(state, "unwrap", RouterUnwrap, DirectUnwrap, kStreamRun);
}

void BM_StreamCpuWrap(benchmark::State& state) {
  RunPairedCpu(state, "wrap", RouterWrap, DirectWrap, kStreamRun);
}

void BM_PairedCpuWrap(benchmark::State& state) {
  RunPairedCpu(state, "wrap", RouterWrap, DirectWrap);
}

void BM_RawUnwrap(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  testing::RawUnwrapSession session(f.raw);
  RunScenario(state, Named("raw HTTPS unwrap", state),
              [&](std::size_t i) { return session.Unwrap(f.wrapped[i].wrapped); });
}

// The RSA-2048 private-key operation, as `openssl speed rsa2048` signs:
// PKCS#1 v1.5 over a SHA-256-sized digest.
void BM_Rsa2048PrivateKeyOp(benchmark::State& state) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  if (key == nullptr || ctx == nullptr || EVP_PKEY_sign_init(ctx) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
    state.SkipWithError("OpenSSL RSA setup failed");
  } else {
    unsigned char digest[32] = {1};
    std::vector<unsigned char> sig(256);
    RunScenario(state, Named("RSA-2048 private-key op", state), [&](std::size_t) {
      size_t len = sig.size();
      return EVP_PKEY_sign(ctx, sig.data(), &len, digest, sizeof digest) > 0;
    });
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key);
}

#define GEOEKM_SCENARIO(fn) BENCHMARK(fn)->Unit(benchmark::kMicrosecond)->MinTime(1.0)->UseRealTime()
GEOEKM_SCENARIO(BM_Rsa2048PrivateKeyOp);
GEOEKM_SCENARIO(BM_RawUnwrap);
GEOEKM_SCENARIO(BM_DirectUnwrap)->Threads(1)->Threads(8)->Threads(16)->Threads(64);
GEOEKM_SCENARIO(BM_RouterUnwrap)->Threads(1)->Threads(8)->Threads(16)->Threads(64);
GEOEKM_SCENARIO(BM_PairedUnwrap)->Threads(1)->Threads(16);
GEOEKM_SCENARIO(BM_DirectWrap);
GEOEKM_SCENARIO(BM_RouterWrap);
// A fixed number of iterations: one run per repetition, without estimation
// runs, so that the writer's commit forced at each end (SettleWriter) comes
// once per about a second of calls, as its own 1 s flush does.
#define GEOEKM_PAIRED_CPU(fn, n) BENCHMARK(fn)->Unit(benchmark::kMicrosecond)->Iterations(n)->UseRealTime()
GEOEKM_PAIRED_CPU(BM_PairedCpuUnwrap, 600);
GEOEKM_PAIRED_CPU(BM_PairedCpuWrap, 1000);
GEOEKM_PAIRED_CPU(BM_StreamCpuUnwrap, 40);  // x 16 calls of each kind
GEOEKM_PAIRED_CPU(BM_StreamCpuWrap, 60);

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

double Median(const std::vector<double>& v) { return Percentile(v, 0.5); }

void PrintTable() {
  Recorded& r = Record();
  auto latency = [&](const std::string& s, double p) { return Percentile(r.latency_ms[s], p); };
  std::printf("\n%-28s %10s %10s %12s %14s %18s\n", "scenario", "median ms", "p99 ms", "ops/s", "CPU us/op",
              "switches/op v+i");
  for (const auto& [scenario, samples] : r.latency_ms) {
    std::printf("%-28s %10.3f %10.3f", scenario.c_str(), Median(samples), Percentile(samples, 0.99));
    if (r.ops_per_s[scenario].empty()) {
      std::printf(" %12s %14s %18s\n", "-", "-", "-");  // paired: two kinds of call in one loop
    } else {
      std::printf(" %12.0f %14.1f %9.2f+%-8.2f\n", Median(r.ops_per_s[scenario]), Median(r.cpu_us_per_op[scenario]),
                  Median(r.voluntary_switches_per_op[scenario]), Median(r.involuntary_switches_per_op[scenario]));
    }
  }
  // The calling threads' share is what geoekm's named threads leave of the
  // process CPU (a benchmark's extra threads may have exited before their
  // CPU could be read by name).
  std::printf("\nCPU us/op by thread (medians; callers = the rest of the process CPU):\n");
  for (const auto& [scenario, by_thread] : r.cpu_us_by_thread) {
    if (scenario.rfind("RSA", 0) == 0) continue;
    std::printf("  %-26s", scenario.c_str());
    double own = 0;
    for (const auto& [name, per_op] : by_thread) {
      if (name.rfind("geoekm-", 0) != 0) continue;
      own += Median(per_op);
      if (Median(per_op) >= 0.05) std::printf("  %s %.1f", name.c_str() + 7, Median(per_op));
    }
    std::printf("  callers %.1f\n", Median(r.cpu_us_per_op[scenario]) - own);
  }
  for (const char* kind : {"paired ", ""}) {
    std::printf("\nrouter / direct unwrap, same vault, %s:\n",
                *kind ? "paired (alternating on every caller, same moments)" : "separate scenarios");
    for (int n : {1, 16}) {
      const std::string router = kind + std::string("router unwrap@") + std::to_string(n);
      const std::string direct = kind + std::string("direct unwrap@") + std::to_string(n);
      if (r.latency_ms[router].empty() || r.latency_ms[direct].empty()) continue;
      std::printf("  %2d caller(s): median ratio %.3f (goal <= 1.05), p99 ratio %.3f (goal <= 1.10)\n", n,
                  latency(router, 0.5) / latency(direct, 0.5), latency(router, 0.99) / latency(direct, 0.99));
    }
  }
  const double raw = Median(r.cpu_us_per_op["raw HTTPS unwrap@1"]);
  const double rsa = Median(r.cpu_us_per_op["RSA-2048 private-key op@1"]);
  if (raw > 0 && rsa > 0) {
    std::printf("\ngeoekm CPU per operation (1 caller) vs a raw kept-alive HTTPS unwrap (%.1f us) and the RSA-2048 "
                "private-key op (%.1f us):\n",
                raw, rsa);
    for (const char* s : {"router unwrap@1", "router wrap@1", "direct unwrap@1", "direct wrap@1"}) {
      const double cpu = Median(r.cpu_us_per_op[s]);
      if (cpu <= 0) continue;
      std::printf("  %-18s %7.1f us = %.2f x raw (goal <= 1.25), %.2f x RSA op\n", s, cpu, cpu / raw, cpu / rsa);
    }
  }
  for (const std::size_t run_length : {std::size_t{1}, kStreamRun}) {
    const std::string runs = RunsSuffix(run_length);
    std::printf("\ngeoekm CPU per operation, paired (1 caller; router, direct, raw and the direct call again in a"
                " shuffled order, same moments%s; means):\n",
                run_length > 1 ? (", each in runs of " + std::to_string(run_length) + " calls").c_str() : "");
    for (const char* what : {"unwrap", "wrap"}) {
      const std::string router = std::string("router ") + what + runs, direct = std::string("direct ") + what + runs;
      const double ops = r.paired_ops[router];
      const std::string raw_name = "raw HTTPS unwrap" + runs;
      if (ops <= 0 || r.paired_ops[raw_name] <= 0) continue;
      // Both paired scenarios make raw calls: their mean over both is the baseline.
      const double raw_us = r.paired_cpu_us[raw_name] / r.paired_ops[raw_name];
      const double caller_us = r.paired_cpu_us[router] / ops, background_us = r.paired_background_us[router] / ops;
      const double direct_us = r.paired_cpu_us[direct] / r.paired_ops[direct];
      const std::string control = direct + " (control)";
      const double control_us = r.paired_cpu_us[control] / r.paired_ops[control];
      std::printf("  %-14s %7.1f us (caller %.1f + geoekm threads %.1f) = %.2f x raw (goal <= 1.25); direct %.1f us ="
                  " %.2f x raw; raw %.1f us; control: direct again %.1f us = %.3f x direct\n",
                  (std::string("router ") + what).c_str(), caller_us + background_us, caller_us, background_us,
                  (caller_us + background_us) / raw_us, direct_us, direct_us / raw_us, raw_us, control_us,
                  control_us / direct_us);
      const std::string one_write = "raw HTTPS unwrap, one write" + runs;
      if (r.paired_ops[one_write] > 0) {
        const double one_write_us = r.paired_cpu_us[one_write] / r.paired_ops[one_write];
        std::printf("  %-14s against a raw unwrap in one write (%.1f us = %.2f x raw): router %.2f x, direct %.2f x\n",
                    "", one_write_us, one_write_us / raw_us, (caller_us + background_us) / one_write_us,
                    direct_us / one_write_us);
      }
      std::printf("  %-14s geoekm threads:", "");
      for (const auto& [name, us] : r.paired_background_by_thread[router])
        std::printf(" %s %.1f", name.c_str(), us / ops);
      std::printf("\n");
    }
  }
  std::printf("\ncalls right after a call of the same kind, runs of %zu (calling thread only; means):\n", kStreamRun);
  for (const char* what : {"unwrap", "wrap"}) {
    const std::string runs = RunsSuffix(kStreamRun);
    const std::string router = std::string("router ") + what + runs, direct = std::string("direct ") + what + runs,
                      raw_name = "raw HTTPS unwrap" + runs;
    if (r.warm_ops[router] <= 0 || r.warm_ops[direct] <= 0 || r.warm_ops[raw_name] <= 0) continue;
    const double router_us = r.warm_cpu_us[router] / r.warm_ops[router],
                 direct_us = r.warm_cpu_us[direct] / r.warm_ops[direct],
                 raw_us = r.warm_cpu_us[raw_name] / r.warm_ops[raw_name];
    std::printf("  router %-7s %.1f us (%+.1f over direct); direct %.1f us; raw %.1f us\n", what, router_us,
                router_us - direct_us, direct_us, raw_us);
  }
  const RouterStats stats = Fixture::Get().runtime->router().stats();
  std::printf("\nrouter: %llu unwraps, %llu coalesced (expected 0), %llu failures, %llu hedges\n",
              static_cast<unsigned long long>(stats.unwraps), static_cast<unsigned long long>(stats.unwraps_coalesced),
              static_cast<unsigned long long>(stats.unwrap_failures), static_cast<unsigned long long>(stats.hedges));
}

}  // namespace
}  // namespace geoekm

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  geoekm::PrintTable();
  return 0;
}
