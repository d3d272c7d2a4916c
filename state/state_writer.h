// StateWriter: the one thread that writes the state store for a running
// provider, so that no vault request waits for SQLite (docs/ARCHITECTURE.md
// §Data flow, "Events" and "the writer thread").
//
// Callers hand it health transitions, key-copy findings, audit rows and
// last-wrap refreshes; they return at once. The writer thread takes whatever
// is queued and writes it in ONE transaction (StateStore::Batch): health
// changes, findings, wrap records, the audit rows buffered so far and, when
// due, audit retention — one commit (one fsync) for a burst, not one each.
// A batch of audit rows alone is committed only when the store's buffer is
// due (audit_batch_rows, audit_flush_interval); the thread flushes that
// buffer when idle for audit_flush_interval. No request thread ever pays
// for a commit, an audit flush or a retention DELETE. A Submit()ted task
// runs between batches, outside any transaction: what was queued before it
// is committed first.
//
// The thread runs at background priority (GiveWayToCallers,
// core/background_priority.h): with every CPU busy, callers' threads run
// first, and the writer's commits no longer show in their latency's tail.
//
// The one write a caller waits for is RecordWrapKeyVersion (invariant 3: a
// key version used for a wrap is durable before the wrapped bytes leave);
// it is queued like the others and returns once the batch holding it is
// committed, after every finding reported before it (in the same batch a
// record sees those before it: a mismatch reported first makes the store
// refuse the wrap, as when writes were synchronous).
//
// A failing batch. When the batch's transaction fails (the write lock not
// had within busy_timeout, an I/O error, a failing COMMIT), none of it is
// written. The writer then retries each never-drop record of it on its own,
// one transaction each, in order — exactly what every record cost before
// batching, so a failing batch never does worse than that, and a record
// whose own write fails is counted (`failed`, the recorder's
// dropped_events()) and its waiting wrap gets the error, never silently
// lost. Chosen over keeping them queued: a persistent failure (disk full)
// would grow the queue and hold every waiting wrap; the store answering
// again is retried by the next batch anyway. batch_retries counts such
// batches. Audit rows of a failed batch stay in the store's buffer and go
// with the next commit. A record the store refuses on its own (an unknown
// vault, a wrap of a mismatched copy) is refused inside the batch without
// affecting the others, and not retried.
//
// Overflow policy (the queue holds at most queue_capacity items):
//   * health transitions, key-copy findings (verified / missing / mismatch),
//     last-wrap refreshes and durable wrap records are never dropped: when
//     the queue is full they are queued beyond the bound (they come at the
//     pace of health changes and key checks, not of requests);
//   * an audit row arriving at a full queue is coalesced: it is added to a
//     summary of the calls with the same op, vault, key version, outcome and
//     HTTP status, written as one row with their count (operations.count),
//     the earliest start and the mean latency, with the next batch.
//     audit_rows_coalesced counts the calls summarised; beyond
//     kMaxAuditSummaries distinct summaries a call is only counted
//     (audit_rows_lost).
// Audit rows wake the thread only when a commit of them is due (the store's
// audit_batch_rows are queued), by the idle timer (audit_flush_interval) or
// with the next other item; Flush() writes everything queued before it.
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
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include "core/status.h"
#include "keyvault/keys/key_types.h"
#include "state/state_records.h"
#include "state/state_store.h"

namespace geoekm {

struct StateWriterOptions {
  std::size_t queue_capacity = 4096;
};

struct StateWriterStats {
  std::uint64_t written = 0;               // items the store accepted
  std::uint64_t failed = 0;                // items the store refused or could not write
  std::uint64_t audit_rows_coalesced = 0;  // audit rows summarised (or lost) because the queue was full
  std::uint64_t audit_rows_lost = 0;       // of those, beyond kMaxAuditSummaries: counted only
  std::uint64_t parked_dropped = 0;        // missing findings beyond the parking bound (also in failed)
  std::uint64_t batch_retries = 0;         // batches whose transaction failed; records retried one by one
  std::size_t queue_depth = 0;
  std::size_t max_queue_depth = 0;
};

class StateWriter {
 public:
  static constexpr std::size_t kMaxParkedVersions = 256;
  static constexpr std::size_t kMaxAuditSummaries = 1024;

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

  // A never-drop record written in a batch, kept until the batch's commit
  // decides its outcome.
  struct Written {
    Item item;
    Status status;
    bool refused;  // the store refused the record itself (not the batch failing): final
  };
  // Coalesced audit calls with the same op, vault, thumbprint, outcome and HTTP status.
  using SummaryKey = std::tuple<VaultCall, std::string, std::string, int, int>;
  struct Summary {
    OperationRecord record;  // record.count calls; record.latency their total until written
  };

  // Returns false when the writer is stopped (the item is not queued).
  bool Enqueue(Item item, bool essential);
  void SummariseLocked(OperationRecord operation);
  bool IdleLocked() const { return queue_.empty() && summaries_.empty(); }
  void Run();
  // Writes a drained queue: one batch per run between Submit()ted tasks.
  void WriteDrained(std::vector<Item>& drained);
  // Writes `items` in one transaction; if it fails and `retry_alone`, each
  // never-drop record again in a transaction of its own.
  void WriteBatch(std::vector<Item>& items, bool retry_alone);
  void Apply(StateStore::Batch& batch, Item& item, std::vector<Written>& written);
  void ApplyCopyState(StateStore::Batch& batch, CopyState copy, std::vector<Written>& written);
  void WriteParked(StateStore::Batch& batch, const std::string& thumbprint, std::vector<Written>& written);
  // The outcome of a never-drop record: counted, or handed to the waiting caller.
  void Settle(Written& record, const Status& status);
  void Count(const Status& status);         // an item: written or failed
  void CountFailure(const Status& status);  // an audit flush: only its failure counts

  const std::shared_ptr<StateStore> store_;
  const StateWriterOptions options_;
  // Queued items at which audit rows wake the thread: the store's
  // audit_batch_rows, when their commit is due anyway. A wake-up costs the
  // writer about 250 us of CPU on a virtual machine (audit_writer_bench: 64
  // rows per wake-up 10.4 us per row, 512 rows 6.3 us), far more than the
  // rows it writes, and rows drained sooner would only wait in the store's
  // buffer for the same commit.
  const std::size_t audit_wake_rows_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Item> queue_;
  std::map<SummaryKey, Summary> summaries_;  // coalesced audit calls, written with the next batch
  bool stopping_ = false;
  std::size_t max_queue_depth_ = 0;

  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> audit_rows_coalesced_{0};
  std::atomic<std::uint64_t> audit_rows_lost_{0};
  std::atomic<std::uint64_t> parked_dropped_{0};
  std::atomic<std::uint64_t> batch_retries_{0};

  // Writer thread only.
  std::map<std::string, std::vector<CopyState>> parked_missing_;  // by thumbprint

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace geoekm
