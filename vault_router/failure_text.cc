#include "vault_router/failure_text.h"

#include "core/error_codes.h"

namespace geoekm {

std::string BriefFailure(const Status& s) {
  std::string out = std::to_string(s.code()) + " " + std::string(ErrorClassName(s.error_class()));
  if (s.http_status()) out += " HTTP " + std::to_string(s.http_status());
  if (!s.message().empty()) out += " (" + s.message() + ")";
  return out;
}

Status DeadlineFailure(const std::string& what) {
  return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "deadline passed before " + what);
}

}  // namespace geoekm
