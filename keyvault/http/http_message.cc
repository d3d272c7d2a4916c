#include "keyvault/http/http_message.h"

#include <Poco/String.h>

namespace geoekm {

std::string_view FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && Poco::icompare(key, std::string(name)) == 0) return value;
  }
  return {};
}

}  // namespace geoekm
