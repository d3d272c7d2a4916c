// ReadJsonConfig: reads a JSON vault-set file into a ConfigDocument through
// Poco::Util::JSONConfiguration, keeping JSON's value types so the schema can
// reject, e.g., a priority given as a string.
//
// Locations are key paths ("vaults[1].url"); Poco's JSON parser keeps no line
// numbers for values.
//
// Thread safety: a pure function.
#pragma once

#include <optional>
#include <string>

#include "config/config_diagnostics.h"
#include "config/config_document.h"

namespace geoekm {

// `text` is the file's content, `file` its name for messages. Syntax and
// structural errors go to `diag`; nullopt when the text is not a JSON object.
std::optional<ConfigDocument> ReadJsonConfig(const std::string& file, const std::string& text,
                                             ConfigDiagnostics& diag);

}  // namespace geoekm
