// StateRecorder: connects the router to the state store. The router sits
// below state/ and reports through RouterObserver and KeyVersionRecorder;
// this adapter turns those reports into StateStore records (health events,
// key-copy findings, the operations audit, and — docs/ARCHITECTURE.md,
// invariant 3 — the durable record of every key version used for a wrap).
//
// Every write goes through one StateWriter thread (state/state_writer.h),
// so observer callbacks only queue and return: a request never waits for a
// commit, an audit flush or retention. The one write a caller waits for is
// the first use of a key version for a wrap in a vault: RecordWrapKeyVersion
// returns once it is committed. Later wraps of that version in that vault
// return at once (the last-wrap time is refreshed through the queue once
// per the store's last_wrap_granularity); a missing or mismatch finding for
// the copy sends the next wrap through the durable path again, behind the
// finding, so the store can refuse it.
//
// KnownThumbprints (and HasWrapHistory, asked on every wrap) reads the store
// once per key name and then answers from memory: this process's own wraps
// are added as they are committed, and once a minute the writer thread
// rereads the history (versions another process recorded), so a wrap never
// waits on a commit.
//
// Only RecordWrapKeyVersion can fail the caller's operation; observer
// callbacks cannot report errors, so failed writes there are counted
// (dropped_events()) rather than lost silently. Only the vault set's
// configured key names are recorded: a wrap with another name fails, a
// finding about another name is dropped (counted).
//
// Thread safety: safe for concurrent calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "state/state_store.h"
#include "state/state_writer.h"
#include "vault_router/key_version_recorder.h"
#include "vault_router/router_observer.h"

namespace geoekm {

class StateRecorder final : public RouterObserver, public KeyVersionRecorder {
 public:
  // `key_names`: the configured key names (provider.key_names).
  StateRecorder(std::shared_ptr<StateStore> store, std::vector<std::string> key_names,
                StateWriterOptions writer = {});
  ~StateRecorder() override;  // writes everything queued (StateWriter::Shutdown)

  // KeyVersionRecorder. KnownThumbprints: the versions that wrapped DEKs.
  Status RecordWrapKeyVersion(const std::string& vault, const KeyBundle& version) override;
  Result<std::vector<std::string>> KnownThumbprints(const std::string& key_name) override;
  bool HasWrapHistory(const std::string& key_name) override;
  // Read from the store (only asked when a vault cannot be reached for a wrap's check).
  Result<std::vector<std::string>> VaultsWithVerifiedCopy(const std::string& thumbprint) override;

  // RouterObserver
  void OnHealthChange(const VaultHealthEvent& event) override;
  void OnVaultCall(const VaultCallEvent& event) override;
  void OnKeyCopy(const KeyCopyEvent& event) override;

  // Waits until everything reported so far is in the store.
  void Flush() { writer_.Flush(); }
  // Observer events the store refused or failed to write, or that named a
  // key this set does not serve (not counting coalesced audit rows).
  std::uint64_t dropped_events() const;
  // The writer's counters: queue depth, written, failed, audit rows coalesced.
  StateWriterStats writer_stats() const { return writer_.stats(); }

 private:
  bool Serves(const std::string& key_name) const;
  // Forgets that (thumbprint, vault) is recorded, so the next wrap is durable again.
  void ForgetWrapped(const std::string& vault, const std::string& thumbprint);

  std::shared_ptr<StateStore> store_;
  const std::vector<std::string> key_names_;
  std::atomic<std::uint64_t> unserved_events_{0};
  std::mutex wrapped_mu_;
  // A version committed for a wrap in a vault by this process: the material
  // its thumbprint was computed from (so a later bundle with the same
  // thumbprint field is trusted only if its material is the same, without
  // hashing again on every wrap), and when the last refresh of last_wrap_ms
  // was queued (store clock, ms).
  struct WrappedVersion {
    std::string kty, n, e;
    std::int64_t refreshed_ms = 0;
  };
  // vault → thumbprint → the version.
  std::map<std::string, std::map<std::string, WrappedVersion, std::less<>>, std::less<>> wrapped_;
  struct KnownHistory {
    std::set<std::string> thumbprints;  // versions that wrapped DEKs
    std::int64_t read_ms = 0;           // when the store was last read (store clock)
    bool rereading = false;             // a reread is queued on the writer
  };
  static constexpr std::int64_t kHistoryRereadMs = 60'000;
  // The history known for lower-cased `key`, with its reread queued when
  // due; null before the first ask for the name.
  const KnownHistory* KnownHistoryLocked(const std::string& key, const std::string& key_name);
  std::mutex known_mu_;
  std::map<std::string, KnownHistory> known_;  // by lower-cased key name
  StateWriter writer_;  // last: its thread stops first
};

}  // namespace geoekm
