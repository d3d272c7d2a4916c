// EscapeControlBytes: text that a remote peer chose (a vault's error message,
// a reason phrase, a Location header, a challenge parameter) made safe to put
// into a message that reaches a terminal or a log: control bytes and DEL
// become \xNN, so a peer cannot move the cursor, clear the screen or forge
// log lines. Other bytes (UTF-8 included) are kept.
//
// Thread safety: a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace geoekm {

std::string EscapeControlBytes(std::string_view text);

// `text` cut to at most `limit` bytes, on a UTF-8 character boundary, with
// "..." after a cut, then escaped as above: a peer's words in one line.
std::string CutAndEscape(std::string_view text, std::size_t limit);

}  // namespace geoekm
