// RouterObserver: how the router makes its decisions visible — vault health
// changes (with the reason and the error code that caused them), the outcome
// of every call it makes to a vault, and what it learnt about each vault's
// copy of a key version. The state store (or the CLI) adapts this to its own
// records; the router cannot include state/ (it sits below it).
//
// Events never carry payloads: no DEKs, no wrapped bytes, no tokens, no
// vault error messages (which can echo request content) — only names,
// thumbprints, codes, latencies and request ids.
//
// Thread safety: the router calls an observer from many threads at once
// (callers, worker threads, the prober), never while holding its own locks.
// Implementations must be thread-safe, fast and must not call back into the
// router.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/status.h"
#include "keyvault/keys/key_types.h"
#include "keyvault/keys/vault_call.h"
#include "keyvault/keys/vault_health_state.h"

namespace geoekm {

// VaultHealthEvent (keyvault/keys/vault_health_state.h) and VaultCall
// (keyvault/keys/vault_call.h) are shared with the state store, which
// records them under the same names.

struct VaultCallEvent {
  VaultCall call = VaultCall::kUnwrap;
  std::string vault;
  std::string key_name;
  std::string thumbprint;   // "" when not known yet
  int outcome_code = 0;     // 0 = success
  ErrorClass error_class = ErrorClass::kNone;
  int http_status = 0;
  std::chrono::milliseconds latency{0};
  std::string request_id;   // x-ms-request-id, "" if none
  bool hedged = false;      // a speculative (hedged) attempt
  bool abandoned = false;   // another vault answered first; result ignored
};

// What the router learnt about one vault's copy of one key version.
enum class KeyCopyFinding {
  kVerified,   // material read and its thumbprint recomputed: matches
  kMissing,    // the vault holds no version with this thumbprint
  kMismatch,   // the vault holds other material under the key name
};

struct KeyCopyEvent {
  std::string vault;
  std::string key_name;
  std::string thumbprint;            // the version the finding is about
  KeyCopyFinding finding = KeyCopyFinding::kVerified;
  std::optional<KeyBundle> bundle;   // the vault's copy, for kVerified
  std::string observed_thumbprint;   // for kMismatch: what the vault holds instead
  std::string detail;                // operator-facing, secret-free
};

// A request the router refused before asking any vault (an invalid
// argument). The reason is the router's own text, never the caller's data.
struct RefusedRequestEvent {
  int error_code = 0;
  std::string reason;
};

class RouterObserver {
 public:
  virtual ~RouterObserver() = default;
  virtual void OnHealthChange(const VaultHealthEvent& /*event*/) {}
  virtual void OnVaultCall(const VaultCallEvent& /*event*/) {}
  virtual void OnKeyCopy(const KeyCopyEvent& /*event*/) {}
  virtual void OnRefusedRequest(const RefusedRequestEvent& /*event*/) {}
};

}  // namespace geoekm
