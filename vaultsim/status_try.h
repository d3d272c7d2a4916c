// Early return on failure in vaultsim code:
//   VAULTSIM_TRY(expr): evaluates a Status expression and returns it from the
//     enclosing function when it is not ok.
//   VAULTSIM_TRY(TakeValue(result_expr, &out)): the same for a Result, whose
//     value is moved to `out` when it is ok.
#pragma once

#include <utility>

#include "core/result.h"
#include "core/status.h"

#define VAULTSIM_TRY(expr)          \
  do {                              \
    ::geoekm::Status _s = (expr);   \
    if (!_s.ok()) return _s;        \
  } while (false)

namespace geoekm::vaultsim {

template <typename T>
Status TakeValue(Result<T> result, T* out) {
  if (!result.ok()) return result.status();
  *out = std::move(result).value();
  return Status::Ok();
}

}  // namespace geoekm::vaultsim
