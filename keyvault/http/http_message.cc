#include "keyvault/http/http_message.h"

#include <Poco/String.h>

namespace geoekm {

std::string_view FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && Poco::icompare(std::string_view(key), name) == 0) return value;
  }
  return {};
}

std::string_view UserAgent() { return "geoekm/" GEOEKM_VERSION; }

bool CarriesContentLength(const HttpRequest& request) {
  return !request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
}

}  // namespace geoekm
