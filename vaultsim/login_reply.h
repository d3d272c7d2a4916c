// LoginReply: what one login-service or managed-identity endpoint answers
// (status, JSON body, extra headers), kept apart from the HTTP server so the
// endpoint logic is testable without sockets.
//
// Thread safety: a plain value.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace geoekm::vaultsim {

struct LoginReply {
  int status = 200;
  std::string body;  // JSON
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace geoekm::vaultsim
