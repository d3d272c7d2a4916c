// ToJsonText: the compact JSON text of a Poco JSON object, as vaultsim sends
// it in HTTP bodies and writes it to files (key order as the object keeps it).
//
// Thread safety: reads the object only.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

namespace geoekm::vaultsim {

std::string ToJsonText(const Poco::JSON::Object& o);
std::string ToJsonText(const Poco::JSON::Object::Ptr& o);

}  // namespace geoekm::vaultsim
