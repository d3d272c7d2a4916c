// Serialises a KeyEntry (all versions, with private keys as PEM) to JSON and
// back: the record format of the vault's state file and the plaintext inside
// a backup blob. Never sent to clients in the clear.
//
// Thread safety: pure functions.
#pragma once

#include <Poco/JSON/Object.h>

#include "core/result.h"
#include "vaultsim/key_entry.h"

namespace geoekm::vaultsim {

Poco::JSON::Object::Ptr KeyEntryToJson(const KeyEntry& entry);
Result<KeyEntry> KeyEntryFromJson(const Poco::JSON::Object& json);

}  // namespace geoekm::vaultsim
