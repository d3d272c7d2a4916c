#include "core/status.h"

#include "core/error_codes.h"

namespace geoekm {

std::string_view ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone: return "ok";
    case ErrorClass::kTransient: return "transient";
    case ErrorClass::kThrottled: return "throttled";
    case ErrorClass::kAuth: return "auth";
    case ErrorClass::kForbidden: return "forbidden";
    case ErrorClass::kNotFound: return "not-found";
    case ErrorClass::kBadRequest: return "bad-request";
    case ErrorClass::kInvalidInput: return "invalid-input";
    case ErrorClass::kIntegrity: return "integrity";
    case ErrorClass::kInternal: return "internal";
  }
  return "unknown";
}

const std::string& Status::Empty() {
  static const std::string empty;
  return empty;
}

Status& Status::Prefix(std::string_view context) {
  Mutable().message.insert(0, context);
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  const State& st = *state_;  // not ok: there are details
  std::string out = "error " + std::to_string(st.code) + " (" + std::string(ErrorClassName(st.cls)) + ")";
  if (!st.vault.empty() || st.http_status != 0 || !st.request_id.empty()) {
    out += " [";
    bool first = true;
    auto add = [&](const std::string& s) {
      if (!first) out += ", ";
      out += s;
      first = false;
    };
    if (!st.vault.empty()) add("vault " + st.vault);
    if (st.http_status != 0) {
      std::string h = "HTTP " + std::to_string(st.http_status);
      if (!st.vault_error_code.empty()) h += " " + st.vault_error_code;
      add(h);
    }
    if (!st.request_id.empty()) add("request-id " + st.request_id);
    out += "]";
  }
  out += ": " + st.message;
  return out;
}

}  // namespace geoekm
