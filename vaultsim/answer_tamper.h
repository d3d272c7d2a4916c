// AnswerTamper: a hostile vault's successful answer, for tests of what a
// client accepts — the "value" of a wrap/unwrap answer cut or padded to a
// number of bytes, and/or the key id ("kid", also inside "key") replaced.
// Set through the `tamper` fault (README.md "Faults").
//
// Thread safety: plain values and a pure function.
#pragma once

#include <optional>
#include <string>

#include "vaultsim/api_message.h"

namespace geoekm::vaultsim {

struct AnswerTamper {
  std::optional<int> value_bytes;  // "value" becomes this many bytes (cut, or padded with 0x01)
  std::optional<std::string> kid;  // replaces "kid" and "key.kid"
};

// Rewrites a 200 JSON answer; anything else is left alone.
void TamperAnswer(const AnswerTamper& tamper, ApiResponse* response);

}  // namespace geoekm::vaultsim
