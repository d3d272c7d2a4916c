#include "vaultsim/key_entry.h"

#include <Poco/String.h>

namespace geoekm::vaultsim {

std::string LowerName(const std::string& name) { return Poco::toLower(name); }

const KeyVersion* KeyEntry::FindVersion(const std::string& version) const {
  for (const KeyVersion& v : versions) {
    if (Poco::icompare(v.version, version) == 0) return &v;
  }
  return nullptr;
}

KeyVersion* KeyEntry::FindVersion(const std::string& version) {
  return const_cast<KeyVersion*>(static_cast<const KeyEntry*>(this)->FindVersion(version));
}

}  // namespace geoekm::vaultsim
