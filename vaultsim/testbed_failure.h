// TestbedFailure: how the testbed's set-up steps (certificates, config
// files, processes, the TDE key) report that a step failed. Every such
// failure is the testbed's own (kFailure, internal): a broken set-up, never
// a vault's answer.
//
// Thread safety: a pure function.
#pragma once

#include <string>

#include "core/error_codes.h"
#include "core/status.h"

namespace geoekm::vaultsim {

inline Status TestbedFailure(const std::string& what) {
  return Status(codes::kFailure, ErrorClass::kInternal, what);
}

}  // namespace geoekm::vaultsim
