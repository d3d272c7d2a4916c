// ApiRequest / ApiResponse: what the vault's request pipeline works on,
// independent of Poco's server classes (so the keys API is testable and the
// HTTP adapter stays thin), plus the Key Vault error body builder.
//
// Thread safety: plain values.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace geoekm::vaultsim {

struct ApiRequest {
  std::string method;                          // upper case
  std::string path;                            // decoded, without query
  std::map<std::string, std::string> query;    // names lower-cased
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string peer_address;                    // e.g. 127.0.0.1
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the standard set
  std::string body;                                          // JSON or empty
};

// {"error":{"code":..,"message":..[,"innererror":{"code":..}]}}
ApiResponse ErrorResponse(int status, const std::string& code, const std::string& message,
                          const std::string& inner_code = "");

}  // namespace geoekm::vaultsim
