// WaitUntil: condition-variable waits bounded by a Deadline or a time point
// on the steady clock. Deadline::Never() is time_point::max(), which some
// standard-library waits cannot convert without overflow; this waits
// without a timeout instead.
//
// Thread safety: as std::condition_variable.
#pragma once

#include <condition_variable>
#include <mutex>

#include "core/deadline.h"

namespace geoekm {

// Returns pred() at the end, like condition_variable::wait_until.
template <typename Predicate>
bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Clock::time_point until,
               Predicate pred) {
  if (until == Clock::time_point::max()) {
    cv.wait(lock, pred);
    return true;
  }
  return cv.wait_until(lock, until, pred);
}

}  // namespace geoekm
