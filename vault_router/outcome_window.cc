#include "vault_router/outcome_window.h"

#include <algorithm>

namespace geoekm {

OutcomeWindow::OutcomeWindow(std::chrono::milliseconds window)
    : bucket_width_(std::max(std::chrono::milliseconds(1), window / kBuckets)) {}

std::int64_t OutcomeWindow::SlotOf(Clock::time_point t) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() / bucket_width_.count();
}

bool OutcomeWindow::Live(const Bucket& b, Clock::time_point now) const {
  const std::int64_t slot = SlotOf(now);
  return b.index >= 0 && b.index > slot - kBuckets && b.index <= slot;
}

void OutcomeWindow::Add(Clock::time_point now, bool success) {
  const std::int64_t slot = SlotOf(now);
  Bucket& b = buckets_[static_cast<std::size_t>(((slot % kBuckets) + kBuckets) % kBuckets)];
  if (b.index != slot) b = Bucket{slot, 0, 0};
  (success ? b.ok : b.failed) += 1;
}

void OutcomeWindow::Clear() { buckets_.fill(Bucket{}); }

std::uint64_t OutcomeWindow::total(Clock::time_point now) const {
  std::uint64_t n = 0;
  for (const Bucket& b : buckets_)
    if (Live(b, now)) n += b.ok + b.failed;
  return n;
}

std::uint64_t OutcomeWindow::failures(Clock::time_point now) const {
  std::uint64_t n = 0;
  for (const Bucket& b : buckets_)
    if (Live(b, now)) n += b.failed;
  return n;
}

double OutcomeWindow::error_rate(Clock::time_point now) const {
  const auto t = total(now);
  return t == 0 ? 0.0 : static_cast<double>(failures(now)) / static_cast<double>(t);
}

}  // namespace geoekm
