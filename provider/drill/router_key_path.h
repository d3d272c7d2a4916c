// RouterKeyPath: the drill's key path straight through a VaultSetRuntime in
// this process (`geoekm drill --router`): wraps with VaultRouter::WrapVersion
// and unwraps with VaultRouter::Unwrap in the configured wrap algorithm, the
// router's own view of health, the runtime's store once its writer is
// flushed.
//
// Thread safety: as DrillKeyPath; the runtime must outlive the path.
#pragma once

#include "provider/drill/drill_key_path.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm {

class RouterKeyPath : public DrillKeyPath {
 public:
  explicit RouterKeyPath(VaultSetRuntime& runtime) : rt_(runtime) {}

  std::string description() const override { return "the router in this process (geoekm drill --router)"; }
  Result<DrillKeyVersion> OpenKey(const std::string& key_name) override;
  Result<std::unique_ptr<DrillKeyCaller>> NewCaller() override;
  std::optional<VaultHealthState> HealthOf(const std::string& vault) override;
  Status Finish() override;
  StateStore& store() override { return rt_.store(); }
  std::optional<StateWriterStats> writer_stats() const override { return rt_.recorder().writer_stats(); }

 private:
  VaultSetRuntime& rt_;
  std::string key_name_;
  DrillKeyVersion version_;
};

}  // namespace geoekm
