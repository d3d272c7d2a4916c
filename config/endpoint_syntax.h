// Parsing of the endpoints a configuration names: https URLs (vaults, the
// Entra ID authority) and curl --connect-to style host:port overrides.
// URI parsing is Poco::URI's; these functions add geoekm's rules.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "core/result.h"

namespace geoekm {

struct Endpoint {
  std::string scheme;
  std::string host;
  int port = 0;
  // scheme://host[:port], the port only when not the scheme's default.
  std::string Normalized() const;
};

// Hosts must be IP literals or LDH host names (letters, digits, hyphens;
// labels of 1-63, 253 in all); non-ASCII names must be given in punycode.
//
// https://host[:port] with an optional trailing '/'; no user info, path,
// query or fragment. `allow_http` admits http:// too (local managed-identity
// endpoints speak plain HTTP). The error message states what is wrong.
Result<Endpoint> ParseServiceUrl(const std::string& text, bool allow_http = false);

// host:port or [ipv6]:port with port 1..65535.
Result<Endpoint> ParseHostPort(const std::string& text);

}  // namespace geoekm
