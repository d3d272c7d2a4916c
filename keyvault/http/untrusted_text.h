// EscapeControlBytes: text that a remote peer chose (a vault's error message,
// a reason phrase, a Location header, a challenge parameter) made safe to put
// into a message that reaches a terminal or a log: control bytes and DEL
// become \xNN, so a peer cannot move the cursor, clear the screen or forge
// log lines. Other bytes (UTF-8 included) are kept.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace geoekm {

std::string EscapeControlBytes(std::string_view text);

}  // namespace geoekm
