#include "vaultsim/json_text.h"

#include <sstream>

namespace geoekm::vaultsim {

std::string ToJsonText(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

std::string ToJsonText(const Poco::JSON::Object::Ptr& o) { return ToJsonText(*o); }

}  // namespace geoekm::vaultsim
