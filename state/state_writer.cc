#include "state/state_writer.h"

#include <algorithm>
#include <utility>

#include "core/error_codes.h"

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
    : store_(std::move(store)), options_(options), thread_([this] { Run(); }) {}

StateWriter::~StateWriter() { Shutdown(); }

bool StateWriter::Enqueue(Item item, bool essential) {
  bool wake = essential;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    if (!essential && queue_.size() >= options_.queue_capacity) {
      audit_rows_coalesced_.fetch_add(1, std::memory_order_relaxed);
      return true;  // coalesced: accepted, counted, not written
    }
    queue_.push_back(std::move(item));
    if (queue_.size() > max_queue_depth_) max_queue_depth_ = queue_.size();
    wake = wake || queue_.size() % std::max<std::size_t>(1, options_.audit_wake_batch) == 0;
  }
  if (wake) wake_.notify_one();
  return true;
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
  s.parked_dropped = parked_dropped_.load();
  std::lock_guard lock(mu_);
  s.queue_depth = queue_.size();
  s.max_queue_depth = max_queue_depth_;
  return s;
}

void StateWriter::Run() {
  std::deque<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      const bool woken = wake_.wait_for(lock, store_->options().audit_flush_interval,
                                        [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) break;
      if (!woken) {
        // Idle: commit buffered audit rows and apply retention when due, here
        // rather than on whichever request trips them.
        lock.unlock();
        CountFailure(store_->FlushAudit());
        audit_unflushed_ = false;
        continue;
      }
      batch.swap(queue_);
    }
    for (Item& item : batch) Apply(item);
    batch.clear();
  }
  // Everything queued is written; leave nothing in the store's buffer.
  if (audit_unflushed_) CountFailure(store_->FlushAudit());
}

void StateWriter::Apply(Item& item) {
  std::visit(
      Overloaded{
          [&](Health& h) { Count(store_->RecordHealthTransition(h.transition)); },
          [&](CopyVerified& c) {
            const Status verified = store_->RecordCopyVerified(c.vault, c.version);
            Count(verified);
            if (verified.ok()) WriteParked(c.version.thumbprint);
          },
          [&](CopyState& c) { ApplyCopyState(c); },
          [&](WrapRecord& w) {
            Status s = store_->RecordWrapKeyVersion(w.vault, w.version);
            if (w.done) {
              w.done->set_value(s);  // the caller counts and acts on it
            } else {
              Count(s);
            }
          },
          [&](OperationRecord& op) {
            Status s = store_->RecordOperation(op);
            if (!s.ok() && !op.thumbprint.empty()) {
              // The audit accepts only thumbprints of recorded key versions (so
              // no payload can pose as one); an unwrap of a version this store
              // has not seen yet (e.g. after a rebuild) is still audited, without it.
              op.thumbprint.clear();
              s = store_->RecordOperation(op);
            }
            Count(s);
            audit_unflushed_ = true;
          },
          [&](Task& task) { task(*store_); },
          [&](FlushMark& f) {
            CountFailure(store_->FlushAudit());
            audit_unflushed_ = false;
            f.done->set_value();
          },
      },
      item);
}

void StateWriter::ApplyCopyState(const CopyState& copy) {
  if (copy.status == CopyStatus::kMissing) {
    // The store keeps copies only of versions whose material it has. A vault
    // found lacking a version before any vault showed that version (the
    // router asks vaults in order) is parked until one does.
    auto known = store_->FindKeyVersion(copy.thumbprint);
    if (known.ok() && !known->has_value()) {
      auto it = parked_missing_.find(copy.thumbprint);
      if (it == parked_missing_.end() && parked_missing_.size() >= kMaxParkedVersions) {
        parked_dropped_.fetch_add(1);
        failed_.fetch_add(1);
        return;
      }
      parked_missing_[copy.thumbprint].push_back(copy);
      return;
    }
  }
  Count(store_->RecordCopyStatus(copy.vault, copy.thumbprint, copy.status, copy.detail, copy.observed_thumbprint));
}

void StateWriter::WriteParked(const std::string& thumbprint) {
  auto it = parked_missing_.find(thumbprint);
  if (it == parked_missing_.end()) return;
  for (const CopyState& m : it->second) {
    Count(store_->RecordCopyStatus(m.vault, thumbprint, m.status, m.detail, m.observed_thumbprint));
  }
  parked_missing_.erase(it);
}

void StateWriter::CountFailure(const Status& status) {
  if (!status.ok()) failed_.fetch_add(1, std::memory_order_relaxed);
}

void StateWriter::Count(const Status& status) {
  (status.ok() ? written_ : failed_).fetch_add(1, std::memory_order_relaxed);
}

}  // namespace geoekm
