// StateWriter: the one thread that writes the state store for a running
// provider, so that no vault request waits for SQLite (docs/ARCHITECTURE.md
// §Data flow, "Events" and "the writer thread").
//
// Callers hand it health transitions, key-copy findings, audit rows and
// last-wrap refreshes; they return at once. The writer thread takes whatever
// is queued, writes it through the StateStore (audit rows go into the store's
// buffer and are committed in batches, inside other commits or when the
// buffer is due), flushes that buffer when idle for the store's
// audit_flush_interval and so runs audit retention when due: no request
// thread ever pays for a commit, an audit flush or a retention DELETE. The one write a caller waits for is
// RecordWrapKeyVersion (invariant 3: a key version used for a wrap is durable
// before the wrapped bytes leave); it is queued like the others, so it is
// committed after every finding reported before it (a mismatch reported
// first makes the store refuse the wrap, as when writes were synchronous).
//
// Overflow policy (the queue holds at most queue_capacity items):
//   * health transitions, key-copy findings (verified / missing / mismatch),
//     last-wrap refreshes and durable wrap records are never dropped: when
//     the queue is full they are queued beyond the bound (they come at the
//     pace of health changes and key checks, not of requests);
//   * an audit row arriving at a full queue is coalesced: it is not written
//     as a row of its own, and audit_rows_coalesced counts it.
// Audit rows wake the thread only in batches (audit_wake_batch) or with the
// next other item; Flush() writes everything queued before it.
// A "missing in vault X" finding for a version the store does not know yet
// is parked (at most kMaxParkedVersions versions) until a vault's verified
// copy of that version is written, then written after it.
// The destructor (or Shutdown) writes everything queued, flushes the audit
// buffer and joins the thread; after it, queued writes fail (counted) and
// RecordWrapKeyVersion returns error 5007.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "core/status.h"
#include "keyvault/keys/key_types.h"
#include "state/state_records.h"
#include "state/state_store.h"

namespace geoekm {

struct StateWriterOptions {
  std::size_t queue_capacity = 4096;
  // Audit rows do not wake the writer thread one by one (a wake-up is two
  // futex calls and a context switch per request): it is woken when this
  // many items are queued, by anything else that is queued, or by its idle
  // timer (the store's audit_flush_interval).
  std::size_t audit_wake_batch = 64;
};

struct StateWriterStats {
  std::uint64_t written = 0;               // items the store accepted
  std::uint64_t failed = 0;                // items the store refused or could not write
  std::uint64_t audit_rows_coalesced = 0;  // audit rows not written because the queue was full
  std::uint64_t parked_dropped = 0;        // missing findings beyond the parking bound (also in failed)
  std::size_t queue_depth = 0;
  std::size_t max_queue_depth = 0;
};

class StateWriter {
 public:
  static constexpr std::size_t kMaxParkedVersions = 256;

  explicit StateWriter(std::shared_ptr<StateStore> store, StateWriterOptions options = {});
  ~StateWriter();
  StateWriter(const StateWriter&) = delete;
  StateWriter& operator=(const StateWriter&) = delete;

  // Queued; never dropped.
  void RecordHealthTransition(VaultHealthEvent transition);
  void RecordCopyVerified(std::string vault, KeyBundle version);
  // kMissing findings for unknown versions are parked (see above).
  void RecordCopyStatus(std::string vault, std::string thumbprint, CopyStatus status, std::string detail,
                        std::string observed_thumbprint = {});
  // Refreshes last_wrap_ms of a version already recorded for a wrap in
  // `vault` (the store's RecordWrapKeyVersion, not waited for).
  void RefreshWrapKeyVersion(std::string vault, KeyBundle version);
  // Queued; coalesced when the queue is full. An audit row naming a version
  // the store does not know is written without the thumbprint.
  void RecordOperation(OperationRecord operation);

  // Runs `task` on the writer thread, in queue order (e.g. a read that must
  // not wait for a commit on the caller's thread). Never dropped.
  void Submit(std::function<void(StateStore&)> task);

  // Invariant 3: returns once the store committed the record (or failed).
  Status RecordWrapKeyVersion(std::string vault, KeyBundle version);

  // Waits until everything queued before the call is written and the audit
  // buffer flushed, so that readers of the store see it.
  void Flush();
  // Writes everything queued, flushes the audit buffer, stops the thread.
  void Shutdown();

  StateWriterStats stats() const;

 private:
  struct Health {
    VaultHealthEvent transition;
  };
  struct CopyVerified {
    std::string vault;
    KeyBundle version;
  };
  struct CopyState {
    std::string vault;
    std::string thumbprint;
    CopyStatus status;
    std::string detail;
    std::string observed_thumbprint;
  };
  struct WrapRecord {
    std::string vault;
    KeyBundle version;
    std::shared_ptr<std::promise<Status>> done;  // null: a refresh nobody waits for
  };
  struct FlushMark {
    std::shared_ptr<std::promise<void>> done;
  };
  using Task = std::function<void(StateStore&)>;
  using Item = std::variant<Health, CopyVerified, CopyState, WrapRecord, OperationRecord, FlushMark, Task>;

  // Returns false when the writer is stopped (the item is not queued).
  bool Enqueue(Item item, bool essential);
  void Run();
  void Apply(Item& item);
  void ApplyCopyState(const CopyState& copy);
  void WriteParked(const std::string& thumbprint);
  void Count(const Status& status);         // an item: written or failed
  void CountFailure(const Status& status);  // an audit flush: only its failure counts

  const std::shared_ptr<StateStore> store_;
  const StateWriterOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::size_t max_queue_depth_ = 0;

  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> audit_rows_coalesced_{0};
  std::atomic<std::uint64_t> parked_dropped_{0};

  // Writer thread only.
  std::map<std::string, std::vector<CopyState>> parked_missing_;  // by thumbprint
  bool audit_unflushed_ = false;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace geoekm
