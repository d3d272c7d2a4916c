// The Key Vault wire shapes the simulated vault answers with: KeyBundle,
// DeletedKeyBundle, KeyItem and DeletedKeyItem (docs/ARCHITECTURE.md §Key JSON),
// public parts only. `base` is "https://<host>:<port>".
//
// Thread safety: pure functions.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "vaultsim/key_entry.h"

namespace geoekm::vaultsim {

std::string KeyId(const std::string& base, const std::string& name, const std::string& version);

Poco::JSON::Object::Ptr KeyBundleJson(const std::string& base, const std::string& name, const KeyVersion& v,
                                      int recoverable_days);
Poco::JSON::Object::Ptr DeletedKeyBundleJson(const std::string& base, const KeyEntry& entry, int recoverable_days);

// kid with version (list versions) or without (list keys: pass version "").
Poco::JSON::Object::Ptr KeyItemJson(const std::string& base, const std::string& name, const std::string& version,
                                    const KeyVersion& v, int recoverable_days);
Poco::JSON::Object::Ptr DeletedKeyItemJson(const std::string& base, const KeyEntry& entry, int recoverable_days);

}  // namespace geoekm::vaultsim
