// VaultError: turns a Key Vault error response into a Status the router can
// act on — the connector's error code, the error class, the 403 reason — and
// a message that tells the operator what to do (like the connector's table).
// The vault's own error code, its message (long base64-like runs redacted, as
// a vault may echo request fields) and x-ms-request-id ride along, with
// control bytes escaped (keyvault/http/untrusted_text.h).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "keyvault/http/http_message.h"

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
// ("unwrapkey", "get key", ...) of the request to `request_path`. The vault's
// message and codes are redacted and cut to a bounded length; the key name
// of the path (/keys/{name}/...) is the operator's own and stays readable
// even when it is as long as a secret.
Status VaultErrorFromResponse(const HttpResponse& response, const std::string& vault, const std::string& operation,
                              std::string_view request_path = {});

// `text` with every run of 40+ base64url characters ([A-Za-z0-9_+-]), and
// every shorter one that starts like a JWT segment ("eyJ"), replaced by
// "[redacted]" (tokens, DEKs, ciphertexts, key parts) — except a run equal to
// `keep` (the key name the request was for: a name of 1-127 of A-Z a-z 0-9 -
// cannot be told from a DEK by its letters alone).
std::string RedactLongRuns(std::string_view text, std::string_view keep = {});

// The Status for a 2xx response whose body we could not use.
Status VaultParseError(int parser_code, const std::string& vault, const std::string& operation,
                       const std::string& what);

}  // namespace geoekm
