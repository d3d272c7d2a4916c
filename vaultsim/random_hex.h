// RandomHex: `bytes` random bytes from OpenSSL's RAND_bytes as lowercase hex
// (2 * bytes characters). Used for key version ids, generated passwords and
// admin tokens.
//
// Thread safety: safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>

namespace geoekm::vaultsim {

std::string RandomHex(std::size_t bytes);

}  // namespace geoekm::vaultsim
