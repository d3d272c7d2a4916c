#include "vault_router/latency_tracker.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace geoekm {

namespace {
// Weight of the newest sample: about the last ten answers dominate.
constexpr double kEwmaAlpha = 0.2;
}  // namespace

void LatencyTracker::Add(std::chrono::milliseconds latency) {
  const auto ms = std::max<std::chrono::milliseconds::rep>(latency.count(), 0);
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
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(std::llround(ewma_ms_)));
}

std::optional<std::chrono::milliseconds> LatencyTracker::p95() const {
  if (count_ < kMinSamples) return std::nullopt;
  std::vector<std::chrono::milliseconds::rep> sorted(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(count_));
  // Nearest-rank percentile.
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(count_)));
  const auto idx = std::clamp<std::size_t>(rank, 1, count_) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(idx), sorted.end());
  return std::chrono::milliseconds(sorted[idx]);
}

std::optional<std::chrono::milliseconds> LatencyTracker::max() const {
  if (count_ == 0) return std::nullopt;
  return std::chrono::milliseconds(*std::max_element(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(count_)));
}

}  // namespace geoekm
