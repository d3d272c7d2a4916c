#include "state/state_writer.h"

#include <algorithm>
#include <utility>

#include "core/background_priority.h"
#include "core/error_codes.h"
#include "core/thread_name.h"

namespace geoekm {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Status WriterStopped() {
  return Status(codes::kStateStoreError, ErrorClass::kInternal, "state store: the writer has stopped");
}

}  // namespace

StateWriter::StateWriter(std::shared_ptr<StateStore> store, StateWriterOptions options)
    : store_(std::move(store)),
      options_(options),
      audit_wake_rows_(std::max<std::size_t>(1, store_->options().audit_batch_rows)),
      thread_([this] {
        NameThisThread("geoekm-writer");
        // Background work: callers' threads first when the CPUs are busy.
        // Refused (it never is on Linux for a lower priority), the writer
        // merely runs at its caller's priority.
        (void)GiveWayToCallers();
        Run();
      }) {}

StateWriter::~StateWriter() { Shutdown(); }

bool StateWriter::Enqueue(Item item, bool essential) {
  bool wake = essential;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    if (!essential && queue_.size() >= options_.queue_capacity) {
      SummariseLocked(std::get<OperationRecord>(std::move(item)));
      return true;  // coalesced: accepted, counted, written as part of a summary row
    }
    queue_.push_back(std::move(item));
    if (queue_.size() > max_queue_depth_) max_queue_depth_ = queue_.size();
    wake = wake || queue_.size() % audit_wake_rows_ == 0;
  }
  if (wake) wake_.notify_one();
  return true;
}

void StateWriter::SummariseLocked(OperationRecord operation) {
  audit_rows_coalesced_.fetch_add(1, std::memory_order_relaxed);
  SummaryKey key{operation.op, operation.vault, operation.thumbprint, operation.outcome_code,
                 operation.http_status};
  auto it = summaries_.find(key);
  if (it == summaries_.end()) {
    if (summaries_.size() >= kMaxAuditSummaries) {
      audit_rows_lost_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    operation.request_id.clear();  // one row cannot name many requests
    operation.latency *= operation.count;
    summaries_.emplace(std::move(key), Summary{std::move(operation)});
    return;
  }
  OperationRecord& sum = it->second.record;
  sum.count += operation.count;
  sum.latency += operation.latency * operation.count;
  if (operation.started_ms > 0 && (sum.started_ms == 0 || operation.started_ms < sum.started_ms)) {
    sum.started_ms = operation.started_ms;
  }
}

void StateWriter::RecordHealthTransition(VaultHealthEvent transition) {
  if (!Enqueue(Health{std::move(transition)}, true)) Count(WriterStopped());
}

void StateWriter::RecordCopyVerified(std::string vault, KeyBundle version) {
  if (!Enqueue(CopyVerified{std::move(vault), std::move(version)}, true)) Count(WriterStopped());
}

void StateWriter::RecordCopyStatus(std::string vault, std::string thumbprint, CopyStatus status, std::string detail,
                                   std::string observed_thumbprint) {
  if (!Enqueue(CopyState{std::move(vault), std::move(thumbprint), status, std::move(detail),
                         std::move(observed_thumbprint)},
               true)) {
    Count(WriterStopped());
  }
}

void StateWriter::RefreshWrapKeyVersion(std::string vault, KeyBundle version) {
  if (!Enqueue(WrapRecord{std::move(vault), std::move(version), nullptr}, true)) Count(WriterStopped());
}

void StateWriter::RecordOperation(OperationRecord operation) {
  if (!Enqueue(std::move(operation), false)) Count(WriterStopped());
}

void StateWriter::Submit(std::function<void(StateStore&)> task) {
  if (!Enqueue(Task(std::move(task)), true)) Count(WriterStopped());
}

Status StateWriter::RecordWrapKeyVersion(std::string vault, KeyBundle version) {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> result = done->get_future();
  if (!Enqueue(WrapRecord{std::move(vault), std::move(version), done}, true)) return WriterStopped();
  return result.get();
}

void StateWriter::Flush() {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> flushed = done->get_future();
  if (!Enqueue(FlushMark{done}, true)) return;
  flushed.wait();
}

void StateWriter::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

StateWriterStats StateWriter::stats() const {
  StateWriterStats s;
  s.written = written_.load();
  s.failed = failed_.load();
  s.audit_rows_coalesced = audit_rows_coalesced_.load();
  s.audit_rows_lost = audit_rows_lost_.load();
  s.parked_dropped = parked_dropped_.load();
  s.batch_retries = batch_retries_.load();
  std::lock_guard lock(mu_);
  s.queue_depth = queue_.size();
  s.max_queue_depth = max_queue_depth_;
  return s;
}

void StateWriter::Run() {
  // The queue and this batch trade places: once both have grown to the
  // usual burst, queueing an item allocates nothing (a deque of items this
  // size allocated a node for every one).
  std::vector<Item> drained;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      const bool woken = wake_.wait_for(lock, store_->options().audit_flush_interval,
                                        [this] { return stopping_ || !IdleLocked(); });
      if (IdleLocked() && stopping_) break;
      if (!woken) {
        // Idle: commit buffered audit rows and apply retention when due, here
        // rather than on whichever request trips them.
        lock.unlock();
        CountFailure(store_->FlushAudit());
        continue;
      }
      // Summaries first: their calls came before what is queued behind a full queue.
      for (auto& [key, summary] : summaries_) {
        summary.record.latency /= summary.record.count;  // written as the mean
        drained.push_back(std::move(summary.record));
      }
      summaries_.clear();
      if (drained.empty()) {
        drained.swap(queue_);
      } else {
        for (Item& item : queue_) drained.push_back(std::move(item));
        queue_.clear();
      }
    }
    WriteDrained(drained);
    drained.clear();
  }
  // Everything queued is written; leave nothing in the store's buffer.
  CountFailure(store_->FlushAudit());
}

void StateWriter::WriteDrained(std::vector<Item>& drained) {
  std::vector<Item> batch;
  for (Item& item : drained) {
    if (Task* task = std::get_if<Task>(&item)) {
      // Outside any transaction, after what was queued before it is committed.
      WriteBatch(batch, /*retry_alone=*/true);
      batch.clear();
      (*task)(*store_);
      continue;
    }
    batch.push_back(std::move(item));
  }
  WriteBatch(batch, /*retry_alone=*/true);
}

void StateWriter::WriteBatch(std::vector<Item>& items, bool retry_alone) {
  if (items.empty()) return;
  std::vector<Written> written;
  std::vector<std::shared_ptr<std::promise<void>>> flushes;
  Status committed;
  {
    StateStore::Batch batch = store_->BeginBatch();
    for (Item& item : items) {
      if (FlushMark* flush = std::get_if<FlushMark>(&item)) {
        batch.WriteAuditNow();
        flushes.push_back(std::move(flush->done));
        continue;
      }
      Apply(batch, item, written);
    }
    committed = batch.Commit();
    CountFailure(batch.audit_status());
  }
  if (committed.ok()) {
    for (Written& w : written) Settle(w, w.status);
  } else {
    if (retry_alone && !written.empty()) batch_retries_.fetch_add(1, std::memory_order_relaxed);
    for (Written& w : written) {
      if (w.refused || !retry_alone) {
        Settle(w, w.refused ? w.status : committed);
        continue;
      }
      std::vector<Item> alone;
      alone.push_back(std::move(w.item));
      WriteBatch(alone, /*retry_alone=*/false);
    }
  }
  for (auto& flush : flushes) flush->set_value();
}

void StateWriter::Apply(StateStore::Batch& batch, Item& item, std::vector<Written>& written) {
  auto keep = [&](Item record, Status status) {
    const bool refused = !status.ok() && !batch.broken();
    written.push_back(Written{std::move(record), std::move(status), refused});
  };
  std::visit(
      Overloaded{
          [&](Health& h) {
            Status s = batch.RecordHealthTransition(h.transition);
            keep(std::move(h), std::move(s));
          },
          [&](CopyVerified& c) {
            Status s = batch.RecordCopyVerified(c.vault, c.version);
            const bool verified = s.ok();
            const std::string thumbprint = c.version.thumbprint;
            keep(std::move(c), std::move(s));
            if (verified) WriteParked(batch, thumbprint, written);
          },
          [&](CopyState& c) { ApplyCopyState(batch, std::move(c), written); },
          [&](WrapRecord& w) {
            Status s = batch.RecordWrapKeyVersion(w.vault, w.version);
            keep(std::move(w), std::move(s));
          },
          [&](OperationRecord& op) {
            // Buffered in the store, written with this batch's commit (or
            // the next one if this one fails): counted as accepted.
            Status s = batch.RecordOperation(std::move(op));  // left as it was if refused
            if (!s.ok() && !op.thumbprint.empty()) {
              // The audit accepts only thumbprints of recorded key versions (so
              // no payload can pose as one); an unwrap of a version this store
              // has not seen yet (e.g. after a rebuild) is still audited, without it.
              op.thumbprint.clear();
              s = batch.RecordOperation(std::move(op));
            }
            Count(s);
          },
          [&](Task&) {},       // WriteDrained runs tasks between batches
          [&](FlushMark&) {},  // WriteBatch handles flush marks
      },
      item);
}

void StateWriter::ApplyCopyState(StateStore::Batch& batch, CopyState copy, std::vector<Written>& written) {
  if (copy.status == CopyStatus::kMissing) {
    // The store keeps copies only of versions whose material it has. A vault
    // found lacking a version before any vault showed that version (the
    // router asks vaults in order) is parked until one does. The batch's own
    // verified copies count.
    auto known = batch.KnowsKeyVersion(copy.thumbprint);
    if (!known.ok()) {
      const bool refused = !batch.broken();
      written.push_back(Written{std::move(copy), known.status(), refused});
      return;
    }
    if (!*known) {
      auto it = parked_missing_.find(copy.thumbprint);
      if (it == parked_missing_.end() && parked_missing_.size() >= kMaxParkedVersions) {
        parked_dropped_.fetch_add(1);
        failed_.fetch_add(1);
        return;
      }
      parked_missing_[copy.thumbprint].push_back(std::move(copy));
      return;
    }
  }
  Status s = batch.RecordCopyStatus(copy.vault, copy.thumbprint, copy.status, copy.detail, copy.observed_thumbprint);
  const bool refused = !s.ok() && !batch.broken();
  written.push_back(Written{std::move(copy), std::move(s), refused});
}

void StateWriter::WriteParked(StateStore::Batch& batch, const std::string& thumbprint,
                              std::vector<Written>& written) {
  auto it = parked_missing_.find(thumbprint);
  if (it == parked_missing_.end()) return;
  std::vector<CopyState> parked = std::move(it->second);
  parked_missing_.erase(it);
  // Part of this batch: if it fails they are retried with it (and parked
  // again should their version's record fail too).
  for (CopyState& m : parked) ApplyCopyState(batch, std::move(m), written);
}

void StateWriter::Settle(Written& record, const Status& status) {
  if (WrapRecord* wrap = std::get_if<WrapRecord>(&record.item); wrap != nullptr && wrap->done) {
    wrap->done->set_value(status);  // the caller counts and acts on it
    return;
  }
  Count(status);
}

void StateWriter::CountFailure(const Status& status) {
  if (!status.ok()) failed_.fetch_add(1, std::memory_order_relaxed);
}

void StateWriter::Count(const Status& status) {
  (status.ok() ? written_ : failed_).fetch_add(1, std::memory_order_relaxed);
}

}  // namespace geoekm
