// One DEK decrypt through libgeoekm-ekm.so (SqlCryptDecrypt: session
// lookup, argument checks, thumbprint → key version, router unwrap, the
// engine's buffer) against the same unwrap asked of a VaultRouter directly
// (VaultSetRuntime in this process) — the same testbed, the same wrapped
// DEK, in the same run. The ratio is the library's overhead; the vault's
// RSA decryption dominates both (docs/ARCHITECTURE.md §EKM ABI).
//
// Run: build/default/tests/bench/ekm_decrypt_bench --benchmark_repetitions=5
// (starts its own testbed). Prints "ratio library/router" at the end.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "core/base64url.h"
#include "provider/ekm/sql_crypt_api.h"
#include "provider/runtime/vault_set_runtime.h"
#include "tests/bench/ratio_reporter.h"
#include "tests/support/testbed.h"

namespace geoekm {
namespace {

struct Fixture {
  std::unique_ptr<testing::Testbed> testbed;
  std::unique_ptr<VaultSetRuntime> runtime;
  SqlCpSession session = nullptr;
  std::vector<std::uint8_t> thumb;
  UnwrapRequest request;

  // One testbed, runtime and library session for both benchmarks.
  static Fixture& Get() {
    static const std::unique_ptr<Fixture> shared = Make();
    return *shared;
  }

  static std::unique_ptr<Fixture> Make() {
    auto made = std::make_unique<Fixture>();
    Fixture& f = *made;
    auto started = testing::Testbed::Start();
    if (!started.ok()) throw std::runtime_error("testbed: " + started.status().ToString());
    f.testbed = std::move(started).value();
    const auto& info = f.testbed->info();
    auto config = LoadVaultSetConfig(info.geoekm_ini);
    if (!config.ok()) throw std::runtime_error(config.status().ToString());
    auto runtime = VaultSetRuntime::Open(*config);
    if (!runtime.ok()) throw std::runtime_error(runtime.status().ToString());
    f.runtime = std::move(runtime).value();
    SecureBytes dek(32, 7);
    auto wrapped = f.runtime->router().Wrap(info.key_name, WrapAlgorithm::kRsaOaep256, dek,
                                            Deadline::After(std::chrono::seconds(30)));
    if (!wrapped.ok()) throw std::runtime_error(wrapped.status().ToString());
    f.request.key_name = info.key_name;
    f.request.thumbprint = wrapped->thumbprint;
    f.request.wrapped = wrapped->wrapped;
    f.thumb = *Base64UrlDecode(wrapped->thumbprint);

    ::setenv("GEOEKM_CONFIG", info.geoekm_ini.c_str(), 1);
    if (SqlCryptInitializeProvider() != scp_err_Success) throw std::runtime_error("SqlCryptInitializeProvider");
    std::string set_name = config->provider.set_name;
    std::u16string name(set_name.begin(), set_name.end());
    SqlCpCredential cred{{static_cast<SqlCpUlong>(name.size() * 2), name.data()}, {0, nullptr}};
    if (SqlCryptOpenSession(&cred, &f.session) != scp_err_Success) throw std::runtime_error("SqlCryptOpenSession");
    return made;
  }
};

void BM_UnwrapThroughRouter(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  for (auto _ : state) {
    auto plain = f.runtime->router().Unwrap(f.request, Deadline::After(std::chrono::seconds(10)));
    if (!plain.ok()) state.SkipWithError(plain.status().ToString().c_str());
    benchmark::DoNotOptimize(plain);
  }
}

void BM_DecryptThroughLibrary(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  std::vector<std::uint8_t> wrapped(f.request.wrapped.begin(), f.request.wrapped.end());
  std::vector<std::uint8_t> out(64);
  SqlCpData thumb{static_cast<SqlCpUlong>(f.thumb.size()), f.thumb.data()};
  SqlCpData cipher{static_cast<SqlCpUlong>(wrapped.size()), wrapped.data()};
  for (auto _ : state) {
    SqlCpData plain{static_cast<SqlCpUlong>(out.size()), out.data()};
    if (SqlCryptDecrypt(&f.session, &thumb, 1, nullptr, 0, &cipher, &plain) != scp_err_Success)
      state.SkipWithError("SqlCryptDecrypt failed");
    benchmark::DoNotOptimize(out.data());
  }
}

BENCHMARK(BM_UnwrapThroughRouter)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_DecryptThroughLibrary)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime();

}  // namespace
}  // namespace geoekm

int main(int argc, char** argv) {
  const int rc = geoekm::bench::RunWithRatio(argc, argv, "library/router", "BM_DecryptThroughLibrary",
                                             "BM_UnwrapThroughRouter", "decrypt");
  SqlCryptFreeProvider();
  return rc;
}
