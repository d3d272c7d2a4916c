// CheckKeyId: does a key bundle's kid (https://{host}[:port]/keys/{name}/
// {version}) name the vault it came from, the key asked for and, when one
// was asked for, that version? An answer naming another vault or key is not
// that vault's copy and must not be recorded as one.
//
// Thread safety: a pure function.
#pragma once

#include <string>

namespace geoekm {

// "" when it does; otherwise what is wrong ("names another key than 'x'").
// An empty `host` is not checked. Key names compare case-insensitively.
std::string KeyIdProblem(const std::string& kid, const std::string& host, int port, const std::string& name,
                         const std::string& version);

}  // namespace geoekm
