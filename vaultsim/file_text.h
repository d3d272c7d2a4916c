// ReadFileText: the whole content of a file, byte for byte; nullopt when the
// file cannot be opened (callers that treat a missing file as empty use
// value_or("")).
//
// Thread safety: safe to call from any thread.
#pragma once

#include <optional>
#include <string>

namespace geoekm::vaultsim {

std::optional<std::string> ReadFileText(const std::string& path);

}  // namespace geoekm::vaultsim
