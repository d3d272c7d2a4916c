// RecordedRouter: a VaultRouter over the given ports (in-process fakes)
// reporting into a StateRecorder over a fresh SQLite state file, as the
// product wires them (observer and key-version recorder; no background
// probing, so that nothing but the benchmark's calls runs). The state
// directory is removed with it.
//
// Thread safety: the router and the recorder are thread-safe; construct and
// destroy on one thread.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "provider/runtime/state_recorder.h"
#include "state/state_store.h"
#include "tests/bench/or_throw.h"
#include "vault_router/vault_router.h"

namespace geoekm {

struct RecordedRouter {
  std::filesystem::path dir;
  std::shared_ptr<StateStore> store;
  std::shared_ptr<StateRecorder> recorder;
  std::unique_ptr<VaultRouter> router;

  // `name` makes the state directory unique within the process; the
  // options' path is set here. Each vault is registered in the store with
  // its priority as given.
  RecordedRouter(const std::string& name, std::vector<RoutedVault> vaults, StateStoreOptions options,
                 const std::string& key_name) {
    dir = std::filesystem::temp_directory_path() / ("geoekm-bench-" + name + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    options.path = (dir / "state.db").string();
    store = std::shared_ptr<StateStore>(OrThrow(StateStore::Open(options)));
    std::vector<VaultRecord> records;
    for (const RoutedVault& v : vaults) {
      records.push_back(VaultRecord{v.name, "https://" + v.host, "r", "G", v.priority, {}, {}});
    }
    OrThrow(store->UpsertVaults(records));
    recorder = std::make_shared<StateRecorder>(store, std::vector<std::string>{key_name});
    RouterOptions o;
    o.probe_key_names = {key_name};
    o.observer = recorder;
    o.recorder = recorder;
    o.background_probing = false;
    router = std::make_unique<VaultRouter>(std::move(vaults), std::move(o));
  }
  ~RecordedRouter() {
    router.reset();
    recorder.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  RecordedRouter(const RecordedRouter&) = delete;
  RecordedRouter& operator=(const RecordedRouter&) = delete;
};

}  // namespace geoekm
