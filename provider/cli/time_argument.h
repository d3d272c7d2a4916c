// Times given on geoekm's command line (--from, --to): ISO 8601 UTC
// ("2026-11-23T06:50:41Z", "2026-11-23T06:50Z", "2026-11-23") or unix
// seconds ("1795000000"), returned as unix milliseconds. Anything else is a
// usage error naming the accepted forms.
//
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace geoekm::cli {

Result<std::int64_t> ParseTimeArgument(std::string_view text);

}  // namespace geoekm::cli
