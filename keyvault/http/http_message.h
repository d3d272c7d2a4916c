// HttpRequest / HttpResponse: the plain HTTP messages exchanged with vaults,
// the token authority and managed-identity endpoints. Header names compare
// case-insensitively (Managed HSM sends lowercase names).
//
// Thread safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace geoekm {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup; returns "" when absent.
std::string_view FindHeader(const HttpHeaders& headers, std::string_view name);

// "geoekm/<project version>": every request carries it unless the caller
// set a User-Agent.
std::string_view UserAgent();

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path + query, e.g. "/keys/k/v/unwrapkey?api-version=7.4"
  HttpHeaders headers;
  std::string body;    // may hold secrets (token requests): never logged
};

// Whether `request` goes out with a Content-Length: when it has a body, or
// its method carries one (POST, PUT, PATCH; 0 for an empty one).
bool CarriesContentLength(const HttpRequest& request);

struct HttpResponse {
  int status = 0;
  std::string reason;
  HttpHeaders headers;
  std::string body;

  std::string_view header(std::string_view name) const { return FindHeader(headers, name); }
};

}  // namespace geoekm
