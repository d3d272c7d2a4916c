// ReadIniConfig: reads an INI vault-set file (Poco::Util::IniFileConfiguration
// syntax: [section], key = value) into a ConfigDocument. Comments start with
// ';' or '#' at the start of a line or after a blank, also after a value.
//
// Poco keeps no line numbers, so the reader also scans the text with Poco's
// own line rules to locate each section and key; that scan is what lets every
// error name its line, and it catches what Poco silently accepts (a key given
// twice).
//
// Thread safety: a pure function.
#pragma once

#include <optional>
#include <string>

#include "config/config_diagnostics.h"
#include "config/config_document.h"

namespace geoekm {

// `text` is the file's content, `file` its name for messages. Structural
// errors go to `diag`; nullopt only when nothing could be read.
std::optional<ConfigDocument> ReadIniConfig(const std::string& file, const std::string& text,
                                            ConfigDiagnostics& diag);

}  // namespace geoekm
