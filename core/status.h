// Status: the value every expected failure in geoekm travels as.
//
// A Status carries the connector error code from
// docs/ARCHITECTURE.md §Error codes (0 = success), a class the router
// uses to decide whether another vault may help, an operator-facing message,
// and — when the failure came from a vault — the HTTP status, the vault's own
// error code and the x-ms-request-id. Messages never contain secrets, tokens
// or key material.
//
// Thread safety: a Status is a plain value; distinct objects may be used from
// different threads, one object needs external synchronisation for writes.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace geoekm {

// How a failure should be treated by callers that have alternatives.
enum class ErrorClass {
  kNone,          // success
  kTransient,     // network, timeout, 408, 5xx: another try or vault may work
  kThrottled,     // 429: back off here, spread load elsewhere
  kAuth,          // 401, token or credential problems
  kForbidden,     // 403: permission, firewall, disabled/expired key, key_ops
  kNotFound,      // 404: key or version missing in this vault
  kBadRequest,    // 400: the request itself is wrong; no other vault helps
  kInvalidInput,  // our caller or our config is wrong (never sent anywhere)
  kIntegrity,     // key material mismatch, corrupt state: stop, be loud
  kInternal,      // a bug or an environment failure (disk, memory)
};

std::string_view ErrorClassName(ErrorClass c);

// Why a 403 happened, when the vault said so.
enum class ForbiddenReason { kNone, kPermission, kFirewall, kKeyDisabled, kKeyExpired, kKeyOps };

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(int code, ErrorClass cls, std::string message)
      : code_(code), class_(cls), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == 0 && class_ == ErrorClass::kNone; }
  explicit operator bool() const { return ok(); }

  int code() const { return code_; }
  ErrorClass error_class() const { return class_; }
  const std::string& message() const { return message_; }

  // Vault-side details; empty/zero when the failure did not come from a vault.
  int http_status() const { return http_status_; }
  const std::string& vault_error_code() const { return vault_error_code_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& vault() const { return vault_; }
  ForbiddenReason forbidden_reason() const { return forbidden_reason_; }

  Status& WithHttp(int http_status, std::string vault_error_code, std::string request_id) {
    http_status_ = http_status;
    vault_error_code_ = std::move(vault_error_code);
    request_id_ = std::move(request_id);
    return *this;
  }
  Status& WithVault(std::string vault) {
    vault_ = std::move(vault);
    return *this;
  }
  Status& WithForbiddenReason(ForbiddenReason r) {
    forbidden_reason_ = r;
    return *this;
  }
  // Prepends context ("loading vaults.ini: ") without losing the code.
  Status& Prefix(std::string_view context);

  // "error 3077 (forbidden) [vault eastus, HTTP 403 Forbidden, request-id ...]: message"
  std::string ToString() const;

 private:
  int code_ = 0;
  ErrorClass class_ = ErrorClass::kNone;
  std::string message_;
  int http_status_ = 0;
  std::string vault_error_code_;
  std::string request_id_;
  std::string vault_;
  ForbiddenReason forbidden_reason_ = ForbiddenReason::kNone;
};

}  // namespace geoekm
