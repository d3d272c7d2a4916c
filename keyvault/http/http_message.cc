#include "keyvault/http/http_message.h"

#include "keyvault/http/http_bytes.h"

namespace geoekm {

std::string_view FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (http_bytes::EqualsIgnoringCase(key, name)) return value;
  }
  return {};
}

std::string_view UserAgent() { return "geoekm/" GEOEKM_VERSION; }

bool CarriesContentLength(const HttpRequest& request) {
  return !request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
}

}  // namespace geoekm
