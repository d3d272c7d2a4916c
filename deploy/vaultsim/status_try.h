// VAULTSIM_TRY(expr): evaluates a Status expression and returns it from the
// enclosing function when it is not ok.
#pragma once

#include "core/status.h"

#define VAULTSIM_TRY(expr)          \
  do {                              \
    ::geoekm::Status _s = (expr);   \
    if (!_s.ok()) return _s;        \
  } while (false)
