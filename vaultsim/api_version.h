// Which data-plane api-version values the simulated vault accepts: 7.3 and
// newer (7.N with N >= 3, 8.0 and up, dated versions from 2025 on), each
// optionally with a "-preview[.N]" suffix. README.md documents the 400s.
//
// Thread safety: pure function.
#pragma once

#include <string_view>

namespace geoekm::vaultsim {

bool IsSupportedApiVersion(std::string_view version);

}  // namespace geoekm::vaultsim
