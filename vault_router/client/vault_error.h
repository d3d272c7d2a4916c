// VaultError: turns a Key Vault error response into a Status the router can
// act on — the connector's error code, the error class, the 403 reason — and
// a message that tells the operator what to do (like the connector's table).
// The vault's own error code, its message (long base64-like runs redacted, as
// a vault may echo request fields) and x-ms-request-id ride along, with
// control bytes escaped (vault_router/http/untrusted_text.h).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "vault_router/http/http_message.h"

namespace geoekm {

struct VaultErrorBody {
  std::string code;        // may contain spaces ("Malformed backup blob")
  std::string message;
  std::string inner_code;  // innermost innererror.code, "" if none
};

// Parses {"error":{"code","message","innererror":{...}}}; empty fields when
// the body is not that shape (Managed HSM sends empty 401 bodies).
VaultErrorBody ParseVaultErrorBody(std::string_view body);

// The Status for a non-2xx response from `vault` during `operation`
// ("unwrapkey", "get key", ...).
Status VaultErrorFromResponse(const HttpResponse& response, const std::string& vault, const std::string& operation);

// `text` with every run of 40+ base64url characters ([A-Za-z0-9_+-]), and
// every shorter one that starts like a JWT segment ("eyJ"), replaced by
// "[redacted]" (tokens, DEKs, ciphertexts, key parts).
std::string RedactLongRuns(std::string_view text);

// The Status for a 2xx response whose body we could not use.
Status VaultParseError(int parser_code, const std::string& vault, const std::string& operation,
                       const std::string& what);

}  // namespace geoekm
