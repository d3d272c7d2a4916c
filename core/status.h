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

#include <memory>
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

// As in LevelDB, a success is a null pointer and a failure owns its details
// on the heap: a Status (and every Result, which holds one) is moved by
// moving one pointer. Results travel through several layers per vault call;
// with the details inline, each move copied four strings.
class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(int code, ErrorClass cls, std::string message) : state_(std::make_unique<State>()) {
    state_->code = code;
    state_->cls = cls;
    state_->message = std::move(message);
  }
  Status(const Status& other) : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    return *this;
  }
  // A failed Status moved from stays failed, with its code, class and HTTP
  // status but no strings, as a Status of plain members did (only a
  // failure, the rare path, pays an allocation for that).
  Status(Status&& other) noexcept : state_(std::move(other.state_)) { other.KeepFailureOf(*this); }
  Status& operator=(Status&& other) noexcept {
    if (this != &other) {
      state_ = std::move(other.state_);
      other.KeepFailureOf(*this);
    }
    return *this;
  }
  ~Status() = default;

  static Status Ok() { return Status(); }

  bool ok() const { return !state_ || (state_->code == 0 && state_->cls == ErrorClass::kNone); }
  explicit operator bool() const { return ok(); }

  int code() const { return state_ ? state_->code : 0; }
  ErrorClass error_class() const { return state_ ? state_->cls : ErrorClass::kNone; }
  const std::string& message() const { return state_ ? state_->message : Empty(); }

  // Vault-side details; empty/zero when the failure did not come from a vault.
  int http_status() const { return state_ ? state_->http_status : 0; }
  const std::string& vault_error_code() const { return state_ ? state_->vault_error_code : Empty(); }
  const std::string& request_id() const { return state_ ? state_->request_id : Empty(); }
  const std::string& vault() const { return state_ ? state_->vault : Empty(); }
  ForbiddenReason forbidden_reason() const { return state_ ? state_->forbidden_reason : ForbiddenReason::kNone; }

  Status& WithHttp(int http_status, std::string vault_error_code, std::string request_id) {
    State& st = Mutable();
    st.http_status = http_status;
    st.vault_error_code = std::move(vault_error_code);
    st.request_id = std::move(request_id);
    return *this;
  }
  Status& WithVault(std::string vault) {
    Mutable().vault = std::move(vault);
    return *this;
  }
  Status& WithForbiddenReason(ForbiddenReason r) {
    Mutable().forbidden_reason = r;
    return *this;
  }
  // Prepends context ("loading vaults.ini: ") without losing the code.
  Status& Prefix(std::string_view context);

  // "error 3077 (forbidden) [vault eastus, HTTP 403 Forbidden, request-id ...]: message"
  std::string ToString() const;

 private:
  struct State {
    int code = 0;
    ErrorClass cls = ErrorClass::kNone;
    std::string message;
    int http_status = 0;
    std::string vault_error_code;
    std::string request_id;
    std::string vault;
    ForbiddenReason forbidden_reason = ForbiddenReason::kNone;
  };
  static const std::string& Empty();
  void KeepFailureOf(const Status& moved_to) {
    if (moved_to.ok()) return;
    const State& from = *moved_to.state_;
    state_ = std::make_unique<State>();
    state_->code = from.code;
    state_->cls = from.cls;
    state_->http_status = from.http_status;
    state_->forbidden_reason = from.forbidden_reason;
  }
  State& Mutable() {
    if (!state_) state_ = std::make_unique<State>();
    return *state_;
  }

  std::unique_ptr<State> state_;  // null = success with no details
};

}  // namespace geoekm
