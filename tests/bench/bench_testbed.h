// BenchTestbed: what the router benchmarks share — a vaultsim testbed, its
// generated configuration and a runtime built by VaultSetRuntime exactly as
// the product builds it. Benchmarks have no test framework to report setup
// failures to, so setup failures throw (OrThrow) and end the run.
//
// Thread safety: immutable after StartTestbed(); the runtime is thread-safe.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "config/config_loader.h"
#include "provider/runtime/vault_set_runtime.h"
#include "tests/bench/or_throw.h"
#include "tests/support/testbed.h"

namespace geoekm {

struct BenchTestbed {
  std::unique_ptr<testing::Testbed> testbed;
  VaultSetConfig config;
  std::unique_ptr<VaultSetRuntime> runtime;

  void StartTestbed() {
    testbed = OrThrow(testing::Testbed::Start());
    config = OrThrow(LoadVaultSetConfig(testbed->info().geoekm_ini));
    runtime = OrThrow(VaultSetRuntime::Open(config));
  }

  // `vault`'s version id of the key version that wrapped `wrapped`.
  std::string VersionIn(const WrappedKey& wrapped, const std::string& vault, Deadline deadline) {
    const LocatedKeyVersion located = OrThrow(runtime->router().Locate(wrapped.key_name, wrapped.thumbprint, deadline));
    for (const KeyVersionLocation& l : located.held_by) {
      if (l.vault == vault) return l.version;
    }
    throw std::runtime_error(vault + " does not hold the wrapping key version");
  }
};

}  // namespace geoekm
