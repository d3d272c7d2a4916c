// Deadline: an absolute point on the steady clock by which an operation must
// finish. Passed down through router → client → transport so every layer cuts
// its own timeouts to what is left.
//
// Thread safety: a plain value.
#pragma once

#include <algorithm>
#include <chrono>

namespace geoekm {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

class Deadline {
 public:
  static Deadline After(Millis d) { return Deadline(Clock::now() + d); }
  static Deadline Never() { return Deadline(Clock::time_point::max()); }
  explicit Deadline(Clock::time_point at) : at_(at) {}

  Clock::time_point at() const { return at_; }
  bool expired() const { return Clock::now() >= at_; }
  // Time left, never negative; `cap` bounds it (for per-try timeouts).
  Millis remaining(Millis cap = Millis::max()) const {
    if (at_ == Clock::time_point::max()) return cap;
    auto left = std::chrono::duration_cast<Millis>(at_ - Clock::now());
    return std::clamp(left, Millis(0), cap);
  }
  Deadline Earlier(Deadline other) const { return Deadline(std::min(at_, other.at_)); }

 private:
  Clock::time_point at_;
};

}  // namespace geoekm
