// Soon(): the deadline a test gives a call that is expected to be answered.
// Generous (30 s by default), so that a slow or busy CI machine never turns
// a passing call into a deadline failure; tests of deadlines and timeouts
// set their own.
//
// Thread safety: a pure function.
#pragma once

#include <chrono>

#include "core/deadline.h"

namespace geoekm::testing {

inline Deadline Soon(int seconds = 30) { return Deadline::After(std::chrono::seconds(seconds)); }

}  // namespace geoekm::testing
