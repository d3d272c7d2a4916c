#include "vaultsim/api_version.h"

#include <regex>
#include <string>

namespace geoekm::vaultsim {

bool IsSupportedApiVersion(std::string_view version) {
  static const std::regex kSupported(
      "^(7\\.([3-9]|[1-9][0-9]+)|([89]|[1-9][0-9]+)\\.[0-9]+|20(2[5-9]|[3-9][0-9])-[01][0-9]-[0-3][0-9])"
      "(-preview(\\.[0-9]+)?)?$");
  return std::regex_match(std::string(version), kSupported);
}

}  // namespace geoekm::vaultsim
