// AccessToken: a bearer token with the times that govern its reuse.
//
// All times are Unix seconds (the authority's clock and ours are assumed to
// agree within the skew kept in usable_until).
//   refresh_on    from here on one caller refreshes ahead of expiry while
//                 everyone else keeps using this token
//   usable_until  after this the token is not handed out any more
//   expires_on    what the authority said
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>

#include "core/secure_bytes.h"

namespace geoekm {

struct AccessToken {
  SecureString value;
  std::int64_t expires_on = 0;
  std::int64_t refresh_on = 0;
  std::int64_t usable_until = 0;
};

}  // namespace geoekm
