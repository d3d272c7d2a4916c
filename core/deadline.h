// Deadline: an absolute point on the steady clock by which an operation must
// finish. Passed down through router → client → transport so every layer cuts
// its own timeouts to what is left. It may also carry a CancelSignal: once
// that fires the deadline counts as passed (expired(), nothing remaining),
// and the transport ends a blocked exchange at once.
//
// Thread safety: a plain value (the CancelSignal it may share is thread-safe).
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "core/cancel_signal.h"

namespace geoekm {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

class Deadline {
 public:
  static Deadline After(Millis d) { return Deadline(Clock::now() + d); }
  static Deadline Never() { return Deadline(Clock::time_point::max()); }
  explicit Deadline(Clock::time_point at) : at_(at) {}

  Clock::time_point at() const { return at_; }
  bool expired() const { return cancelled() || Clock::now() >= at_; }
  // Time left, never negative; `cap` bounds it (for per-try timeouts).
  Millis remaining(Millis cap = Millis::max()) const {
    if (cancelled()) return Millis(0);
    if (at_ == Clock::time_point::max()) return cap;
    auto left = std::chrono::duration_cast<Millis>(at_ - Clock::now());
    return std::clamp(left, Millis(0), cap);
  }
  // The earlier point; keeps this deadline's cancel signal, else other's.
  Deadline Earlier(const Deadline& other) const {
    Deadline d(std::min(at_, other.at_));
    d.cancel_ = cancel_ ? cancel_ : other.cancel_;
    return d;
  }
  // The same point, also ended by `signal`.
  Deadline WithCancel(std::shared_ptr<CancelSignal> signal) const {
    Deadline d(at_);
    d.cancel_ = std::move(signal);
    return d;
  }
  CancelSignal* cancel_signal() const { return cancel_.get(); }
  bool cancelled() const { return cancel_ && cancel_->cancelled(); }

 private:
  Clock::time_point at_;
  std::shared_ptr<CancelSignal> cancel_;
};

}  // namespace geoekm
