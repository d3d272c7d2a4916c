// OutcomeWindow: successes and failures of one vault over a sliding time
// window (Envoy's "failure percentage" interval), kept in a fixed number of
// time buckets so memory does not grow with traffic.
//
// Thread safety: not synchronised; VaultHealth guards it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "core/deadline.h"

namespace geoekm {

class OutcomeWindow {
 public:
  static constexpr int kBuckets = 10;

  explicit OutcomeWindow(std::chrono::milliseconds window);

  void Add(Clock::time_point now, bool success);
  void Clear();

  // What the window holds at `now`, in one pass over the buckets.
  struct Counts {
    std::uint64_t total = 0;
    std::uint64_t failed = 0;
    // failed / total; 0 when there were no outcomes.
    double error_rate() const { return total == 0 ? 0.0 : static_cast<double>(failed) / static_cast<double>(total); }
  };
  Counts CountsAt(Clock::time_point now) const;

  std::uint64_t total(Clock::time_point now) const { return CountsAt(now).total; }
  std::uint64_t failures(Clock::time_point now) const { return CountsAt(now).failed; }
  double error_rate(Clock::time_point now) const { return CountsAt(now).error_rate(); }

 private:
  struct Bucket {
    std::int64_t index = -1;  // which bucket-width slot of the clock it counts
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
  };
  std::int64_t SlotOf(Clock::time_point t) const;
  // Whether b counts at clock slot `slot` (one of the last kBuckets slots).
  static bool Live(const Bucket& b, std::int64_t slot);

  std::chrono::milliseconds bucket_width_;
  std::array<Bucket, kBuckets> buckets_{};
};

}  // namespace geoekm
