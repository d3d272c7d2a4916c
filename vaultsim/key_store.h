// KeyStore: the vault's keys (VaultState) behind a lock, persisted to
// <data_dir>/vault-state.json after every change (temp file + fsync +
// rename, mode 0600) so a restarted vault process keeps its keys.
//
// Thread safety: Read and Update may be called from any thread; Update runs
// exclusively, Read runs concurrently with other Reads.
#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>

#include "core/result.h"
#include "vaultsim/key_entry.h"

namespace geoekm::vaultsim {

class KeyStore {
 public:
  // Creates data_dir (0700) if missing and loads the state file if present.
  static Result<std::unique_ptr<KeyStore>> Open(const std::string& data_dir);

  void Read(const std::function<void(const VaultState&)>& fn) const;

  // Runs fn with exclusive access. When fn returns true the state is written
  // to disk before Update returns; a write failure is returned (kInternal)
  // and the in-memory change is rolled back.
  Status Update(const std::function<bool(VaultState&)>& fn);

 private:
  explicit KeyStore(std::string path) : path_(std::move(path)) {}
  Status Save(const VaultState& state) const;

  const std::string path_;
  mutable std::shared_mutex mu_;
  VaultState state_;
};

}  // namespace geoekm::vaultsim
