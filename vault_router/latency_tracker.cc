#include "vault_router/latency_tracker.h"

#include <algorithm>

namespace geoekm {

namespace {
// Weight of the newest sample: about the last ten answers dominate.
constexpr double kEwmaAlpha = 0.2;
}  // namespace

void LatencyTracker::Add(std::chrono::milliseconds latency) {
  const auto ms = std::max<std::chrono::milliseconds::rep>(latency.count(), 0);
  const auto sorted_begin = sorted_.begin();
  auto sorted_end = sorted_begin + static_cast<std::ptrdiff_t>(count_);
  if (count_ == kWindow) {  // the oldest sample leaves the window
    const auto oldest = std::lower_bound(sorted_begin, sorted_end, ring_[next_]);
    std::move(oldest + 1, sorted_end, oldest);
    --sorted_end;
  }
  const auto at = std::upper_bound(sorted_begin, sorted_end, ms);
  std::move_backward(at, sorted_end, sorted_end + 1);
  *at = ms;
  ring_[next_] = ms;
  next_ = (next_ + 1) % kWindow;
  ewma_ms_ = count_ == 0 ? static_cast<double>(ms) : kEwmaAlpha * static_cast<double>(ms) + (1 - kEwmaAlpha) * ewma_ms_;
  count_ = std::min(count_ + 1, kWindow);
}

void LatencyTracker::Clear() {
  next_ = 0;
  count_ = 0;
  ewma_ms_ = 0.0;
}

std::optional<std::chrono::milliseconds> LatencyTracker::ewma() const {
  if (count_ == 0) return std::nullopt;
  // Samples are never negative, so adding a half and truncating rounds as
  // llround would, without a call into libm on every request.
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ewma_ms_ + 0.5));
}

std::optional<std::chrono::milliseconds> LatencyTracker::p95() const {
  if (count_ < kMinSamples) return std::nullopt;
  // Nearest-rank percentile: ceil(0.95 x count) in integers.
  const std::size_t rank = (95 * count_ + 99) / 100;
  return std::chrono::milliseconds(sorted_[std::clamp<std::size_t>(rank, 1, count_) - 1]);
}

std::optional<std::chrono::milliseconds> LatencyTracker::max() const {
  if (count_ == 0) return std::nullopt;
  return std::chrono::milliseconds(sorted_[count_ - 1]);
}

}  // namespace geoekm
