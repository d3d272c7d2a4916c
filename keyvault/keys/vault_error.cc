#include "keyvault/keys/vault_error.h"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>

#include "core/error_codes.h"
#include "core/json_fields.h"
#include "keyvault/keys/key_id.h"
#include "keyvault/http/untrusted_text.h"

namespace geoekm {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return Poco::toLower(std::string(haystack)).find(Poco::toLower(std::string(needle))) != std::string::npos;
}

// AKV10032 "Invalid issuer" (token of another tenant) and AKV10022 "Invalid
// audience" (token for another resource) — docs/ARCHITECTURE.md §Vault errors.
bool IsCredentialRejection(const VaultErrorBody& body) {
  return Contains(body.message, "AKV10032") || Contains(body.message, "AKV10022") ||
         Contains(body.message, "Invalid issuer") || Contains(body.message, "Invalid audience");
}

ForbiddenReason ClassifyForbidden(const VaultErrorBody& body) {
  if (body.code == "ForbiddenByFirewall" || body.inner_code == "ForbiddenByFirewall" ||
      Contains(body.message, "Client address")) {
    return ForbiddenReason::kFirewall;
  }
  if (Contains(body.message, "not permitted on this key")) return ForbiddenReason::kKeyOps;
  if (Contains(body.message, "expired") || Contains(body.message, "not yet valid") ||
      Contains(body.inner_code, "Expired")) {
    return ForbiddenReason::kKeyExpired;
  }
  if (Contains(body.message, "disabled") || Contains(body.inner_code, "Disabled")) return ForbiddenReason::kKeyDisabled;
  return ForbiddenReason::kPermission;
}

std::string ForbiddenAdvice(ForbiddenReason reason, const VaultErrorBody& body) {
  switch (reason) {
    case ForbiddenReason::kFirewall:
      return "the vault's firewall refuses this client's address; allow it in the vault's network rules or use "
             "a private endpoint";
    case ForbiddenReason::kKeyOps:
      return "the key does not allow this operation (key_ops); every version must permit wrapKey and unwrapKey";
    case ForbiddenReason::kKeyExpired:
      return "the key version is outside its nbf/exp window; wrap needs a valid version (unwrap still works)";
    case ForbiddenReason::kKeyDisabled:
      return "the key version is disabled in this vault; enable it or use another vault";
    default: {
      std::string advice = "the identity lacks a permission on this vault";
      // The service names the missing permission: "does not have keys unwrapKey permission".
      auto pos = body.message.find("does not have keys ");
      if (pos != std::string::npos) {
        auto end = body.message.find(" permission", pos);
        const std::string permission =
            end == std::string::npos ? "" : body.message.substr(pos + 19, end - pos - 19);
        // Only a permission's name (wrapKey, get, ...) is repeated, not whatever the vault put there.
        const bool a_name = !permission.empty() && permission.size() <= 32 &&
                            std::all_of(permission.begin(), permission.end(),
                                        [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
        if (a_name) {
          advice = "the identity lacks the '" + permission + "' permission on this vault";
        }
      }
      return advice + "; a vault set needs get, list, wrapKey and unwrapKey (plus backup/restore for replication)";
    }
  }
}

// The vault's text, redacted first so that a cut cannot leave the tail of a
// secret too short to be recognised, then cut to `limit` bytes (on a UTF-8
// character boundary), control bytes escaped (it may reach a terminal).
std::string VaultText(std::string_view text, std::string_view key_name, std::size_t limit) {
  return CutAndEscape(RedactLongRuns(text, key_name), limit);
}

// The vault's own words ride along (long base64-like runs redacted), with its
// error code (codes can contain spaces), inner code and
// x-ms-request-id.
Status Build(int code, ErrorClass cls, std::string message, const HttpResponse& response, const VaultErrorBody& body,
             const std::string& vault, std::string_view key_name) {
  constexpr std::size_t kMaxMessage = 1000;  // Key Vault's messages are a few hundred bytes
  constexpr std::size_t kMaxCode = 100;
  // Messages of 400s can quote request fields: only their code rides along.
  if (!body.message.empty() && cls != ErrorClass::kBadRequest) {
    message += " (vault says: " + VaultText(body.message, key_name, kMaxMessage) + ")";
  }
  Status s(code, cls, std::move(message));
  std::string vault_code = body.code;
  if (!body.inner_code.empty()) vault_code += "/" + body.inner_code;
  s.WithHttp(response.status, VaultText(vault_code, {}, kMaxCode),
             VaultText(response.header("x-ms-request-id"), {}, kMaxCode))
      .WithVault(vault);
  return s;
}

}  // namespace

VaultErrorBody ParseVaultErrorBody(std::string_view text) {
  // Not JSON, or not the error shape (fields of other types read as absent):
  // the status alone must do.
  VaultErrorBody out;
  if (text.empty()) return out;
  JsonFields error = JsonFields(ParseJsonObject(text)).Object("error");
  out.code = error.String("code").value_or("");
  out.message = error.String("message").value_or("");
  for (JsonFields inner = error.Object("innererror"); inner.present(); inner = inner.Object("innererror")) {
    out.inner_code = inner.String("code").value_or(out.inner_code);
  }
  return out;
}

Status VaultErrorFromResponse(const HttpResponse& response, const std::string& vault, const std::string& operation,
                              std::string_view request_path) {
  const VaultErrorBody body = ParseVaultErrorBody(response.body);
  const int http = response.status;
  int code = codes::kAkvUnknown;
  ErrorClass cls = ErrorClass::kTransient;
  std::string advice;
  ForbiddenReason reason = ForbiddenReason::kNone;
  if (http == 401 && IsCredentialRejection(body)) {
    code = codes::kHttpUnauthorizedCredential;
    cls = ErrorClass::kAuth;
    advice = "the vault does not accept tokens of this credential (another tenant or resource); make sure the "
             "client id and secret (or certificate) belong to the vault's tenant";
  } else if (http == 401) {
    code = codes::kHttpUnauthorized;
    cls = ErrorClass::kAuth;
    advice = "the vault refused the request as unauthenticated; check the tenant and that the credential belongs to it";
  } else if (http == 403) {
    code = codes::kHttpForbidden;
    cls = ErrorClass::kForbidden;
    reason = ClassifyForbidden(body);
    advice = ForbiddenAdvice(reason, body);
  } else if (http == 404) {
    code = codes::kHttpNotFound;
    cls = ErrorClass::kNotFound;
    advice = "the key or key version does not exist in this vault; check the key name, or replicate the version";
  } else if (http == 429) {
    code = codes::kHttpThrottled;
    cls = ErrorClass::kThrottled;
    advice = "the vault is throttling; load is spread to other vaults and retried with backoff";
  } else if (http == 408 || http >= 500) {
    code = codes::kHttpServerError;
    cls = ErrorClass::kTransient;
    advice = "the vault had a server-side failure; it is retried and other vaults are tried";
  } else if (http == 409) {
    // Real Key Vault answers a restore made right after a purge with 409 and
    // accepts it seconds later; the service's code and message tell which
    // conflict it was.
    code = codes::kHttpClientError;
    cls = ErrorClass::kTransient;
    advice = "the request conflicts with the key's current state in this vault (e.g. a restore or create soon after "
             "a delete or purge, a name already in use, or parallel operations on the key); it was retried with "
             "backoff";
  } else if (http >= 400) {
    code = codes::kHttpClientError;
    cls = ErrorClass::kBadRequest;
    advice = "the vault rejected the request as invalid (e.g. a malformed key name, ciphertext or backup blob)";
  } else if (http >= 300 && http < 400) {
    // A vault never redirects; following one would send the token elsewhere.
    const std::string_view location = response.header("location");
    advice = "the vault answered HTTP " + std::to_string(http) + ", a redirect to " +
             (location.empty() ? std::string("nowhere (no Location)") : "'" + EscapeControlBytes(location) + "'") +
             ", which is refused (a Key Vault does not redirect; check the vault URL and any proxy in between)";
  } else {
    advice = "the vault answered with the unexpected HTTP status " + std::to_string(http);
  }
  return Build(code, cls, operation + " failed: " + advice, response, body, vault, KeyNameInPath(request_path))
      .WithForbiddenReason(reason);
}

std::string RedactLongRuns(std::string_view text, std::string_view keep) {
  // Tokens, DEKs, ciphertexts and key parts are long runs of the base64url
  // alphabet (so are a JWT's segments); GUIDs (36 characters), URLs and host
  // names break into shorter runs at '/', '.', '=', ';' and spaces. A key name
  // may be a run as long as a secret: the request's own name is `keep`.
  constexpr std::size_t kLongRun = 40;
  auto in_alphabet = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '+';
  };
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && in_alphabet(text[j])) ++j;
    const std::string_view run = text.substr(i, j - i);
    // eyJ: a JWT segment
    const bool secret_like = run.size() >= kLongRun || (run.size() >= 8 && run.starts_with("eyJ"));
    if (secret_like && run != keep) {
      out += "[redacted]";
    } else {
      out.append(run);
    }
    if (j < text.size()) out += text[j++];
    i = j;
  }
  return out;
}

Status VaultParseError(int parser_code, const std::string& vault, const std::string& operation,
                       const std::string& what) {
  Status s(parser_code, ErrorClass::kTransient,
           operation + " failed: the vault's answer could not be used (" + EscapeControlBytes(what) + ")");
  s.WithVault(vault);
  return s;
}

}  // namespace geoekm
