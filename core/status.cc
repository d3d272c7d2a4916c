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

Status& Status::Prefix(std::string_view context) {
  message_.insert(0, context);
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = "error " + std::to_string(code_) + " (" + std::string(ErrorClassName(class_)) + ")";
  if (!vault_.empty() || http_status_ != 0 || !request_id_.empty()) {
    out += " [";
    bool first = true;
    auto add = [&](const std::string& s) {
      if (!first) out += ", ";
      out += s;
      first = false;
    };
    if (!vault_.empty()) add("vault " + vault_);
    if (http_status_ != 0) {
      std::string h = "HTTP " + std::to_string(http_status_);
      if (!vault_error_code_.empty()) h += " " + vault_error_code_;
      add(h);
    }
    if (!request_id_.empty()) add("request-id " + request_id_);
    out += "]";
  }
  out += ": " + message_;
  return out;
}

}  // namespace geoekm
