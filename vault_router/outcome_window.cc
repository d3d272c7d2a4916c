#include "vault_router/outcome_window.h"

#include <algorithm>

namespace geoekm {

OutcomeWindow::OutcomeWindow(std::chrono::milliseconds window)
    : bucket_width_(std::max(std::chrono::milliseconds(1), window / kBuckets)) {}

std::int64_t OutcomeWindow::SlotOf(Clock::time_point t) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() / bucket_width_.count();
}

bool OutcomeWindow::Live(const Bucket& b, std::int64_t slot) {
  return b.index >= 0 && b.index > slot - kBuckets && b.index <= slot;
}

void OutcomeWindow::Add(Clock::time_point now, bool success) {
  const std::int64_t slot = SlotOf(now);
  Bucket& b = buckets_[static_cast<std::size_t>(((slot % kBuckets) + kBuckets) % kBuckets)];
  if (b.index != slot) b = Bucket{slot, 0, 0};
  (success ? b.ok : b.failed) += 1;
}

void OutcomeWindow::Clear() { buckets_.fill(Bucket{}); }

OutcomeWindow::Counts OutcomeWindow::CountsAt(Clock::time_point now) const {
  const std::int64_t slot = SlotOf(now);
  Counts c;
  for (const Bucket& b : buckets_) {
    if (!Live(b, slot)) continue;
    c.total += b.ok + b.failed;
    c.failed += b.failed;
  }
  return c;
}

}  // namespace geoekm
