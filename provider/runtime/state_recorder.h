// StateRecorder: connects the router to the state store. The router sits
// below state/ and reports through RouterObserver and KeyVersionRecorder;
// this adapter turns those reports into StateStore records (health events,
// key-copy findings, the operations audit, and — docs/ARCHITECTURE.md,
// invariant 3 — the durable record of every key version used for a wrap).
//
// Only RecordWrapKeyVersion can fail the caller's operation; observer
// callbacks cannot report errors, so failed writes there are counted
// (dropped_events()) rather than lost silently. A "missing in vault X"
// finding for a version the store has not seen yet waits (in memory, for
// at most kMaxParkedVersions versions) until a vault shows that version.
// Only the vault set's configured key names are recorded: a wrap with
// another name fails, a finding about another name is dropped (counted).
//
// Thread safety: safe for concurrent calls (StateStore serialises).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "state/state_store.h"
#include "vault_router/key_version_recorder.h"
#include "vault_router/router_observer.h"

namespace geoekm {

class StateRecorder final : public RouterObserver, public KeyVersionRecorder {
 public:
  // `key_names`: the configured key names (provider.key_names).
  StateRecorder(std::shared_ptr<StateStore> store, std::vector<std::string> key_names)
      : store_(std::move(store)), key_names_(std::move(key_names)) {}

  // KeyVersionRecorder. KnownThumbprints: the versions that wrapped DEKs.
  Status RecordWrapKeyVersion(const std::string& vault, const KeyBundle& version) override;
  Result<std::vector<std::string>> KnownThumbprints(const std::string& key_name) override;

  // RouterObserver
  void OnHealthChange(const VaultHealthEvent& event) override;
  void OnVaultCall(const VaultCallEvent& event) override;
  void OnKeyCopy(const KeyCopyEvent& event) override;

  // Observer events the store refused or failed to write.
  std::uint64_t dropped_events() const { return dropped_events_.load(); }

 private:
  static constexpr std::size_t kMaxParkedVersions = 256;
  struct ParkedMissing {
    std::string vault;
    std::string detail;
  };

  bool Serves(const std::string& key_name) const;
  void RecordMissing(const KeyCopyEvent& event);
  void RecordParkedMissing(const std::string& thumbprint);
  void Count(const Status& status);

  std::shared_ptr<StateStore> store_;
  const std::vector<std::string> key_names_;
  std::atomic<std::uint64_t> dropped_events_{0};
  std::mutex parked_mu_;
  std::map<std::string, std::vector<ParkedMissing>> parked_missing_;  // by thumbprint
};

// The store's word for a router health state.
RecordedHealth ToStoreHealth(VaultHealthState state);

}  // namespace geoekm
