// OrThrow: benchmarks have no test framework to report a failed setup to, so
// a failed Result or Status throws and ends the run.
//
// Thread safety: pure functions.
#pragma once

#include <stdexcept>
#include <utility>

#include "core/result.h"
#include "core/status.h"

namespace geoekm {

template <typename T>
T OrThrow(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return std::move(r).value();
}

inline void OrThrow(const Status& s) {
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

}  // namespace geoekm
