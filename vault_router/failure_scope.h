// FailureScope: whether a failed vault call says something about the vault
// (another vault may well succeed: move on) or about the request itself
// (every vault would refuse it: stop), and how it counts for the vault's
// health.
//
//   vault-level:   transient (network, timeout, 5xx), throttled (429), auth,
//                  forbidden, not found (the version is missing *here*),
//                  integrity, internal
//   request-level: bad request (e.g. 400 for a ciphertext that is not one),
//                  invalid input (never sent)
//
// Health: a 404 or 400 is an answer (the vault is alive); 429 is neither a
// success nor a failure but a signal to send load elsewhere for a while; an
// invalid input was refused before anything was sent, so it says nothing
// about the vault (it must not bring a lost vault back to healthy).
//
// Thread safety: pure functions.
#pragma once

#include "core/status.h"

namespace geoekm {

enum class FailureScope { kNone, kVault, kRequest };
enum class HealthSignal { kNone, kSuccess, kAnswered, kThrottled, kFailure };

FailureScope ScopeOf(const Status& status);
HealthSignal HealthSignalOf(const Status& status);

}  // namespace geoekm
