#include "config/config_diagnostics.h"

#include "core/error_codes.h"

namespace geoekm {

namespace {

std::string Format(const ConfigLocation& where, const std::string& problem, const std::string& allowed) {
  std::string out = where.ToString() + ": " + problem;
  if (!allowed.empty()) out += " (allowed: " + allowed + ")";
  return out;
}

}  // namespace

void ConfigDiagnostics::Error(const ConfigLocation& where, const std::string& problem,
                              const std::string& allowed) {
  errors_.push_back(Format(where, problem, allowed));
}

void ConfigDiagnostics::ErrorWithCode(int code, const ConfigLocation& where, const std::string& problem,
                                      const std::string& allowed) {
  errors_.push_back(Format(where, "error " + std::to_string(code) + ": " + problem, allowed));
  code_ = code;
}

void ConfigDiagnostics::Warning(const ConfigLocation& where, const std::string& message) {
  warnings_.push_back(where.ToString() + ": " + message);
}

Status ConfigDiagnostics::ToStatus() const {
  std::string message = file_ + ": configuration rejected, " + std::to_string(errors_.size()) +
                        (errors_.size() == 1 ? " error:" : " errors:");
  for (const std::string& e : errors_) message += "\n  " + e;
  return Status(code_ != 0 ? code_ : codes::kConfigInvalid, ErrorClass::kInvalidInput, std::move(message));
}

}  // namespace geoekm
