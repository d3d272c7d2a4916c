// How the router words failures in the messages it returns: one vault's
// failure in brief (code, class, HTTP status, message) for a per-vault
// summary such as "a: 2003 transient HTTP 503 (...); b: ...", and the one
// status for a deadline that passed before something could be done.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "core/status.h"

namespace geoekm {

std::string BriefFailure(const Status& s);

// Error kDeadlineExceeded (transient): "deadline passed before <what>".
Status DeadlineFailure(const std::string& what);

}  // namespace geoekm
