// ConfigDiagnostics: collects every error and warning found while loading a
// configuration file, so the user sees all problems at once, and turns the
// errors into one Status.
//
// Each message names the place (file, line or key path), what is wrong and
// what is allowed. Callers must never pass secret values into a message.
//
// Thread safety: not thread-safe; one instance per load.
#pragma once

#include <string>
#include <vector>

#include "config/config_document.h"
#include "core/status.h"

namespace geoekm {

class ConfigDiagnostics {
 public:
  explicit ConfigDiagnostics(std::string file) : file_(std::move(file)) {}

  // `allowed` may be empty when the problem says it all.
  void Error(const ConfigLocation& where, const std::string& problem, const std::string& allowed = "");
  // Same, but the failure has a connector error code (e.g. 2050) that the
  // resulting Status must carry.
  void ErrorWithCode(int code, const ConfigLocation& where, const std::string& problem,
                     const std::string& allowed = "");
  void Warning(const ConfigLocation& where, const std::string& message);

  bool has_errors() const { return !errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // codes::kConfigInvalid with every error, one per line; a connector code
  // recorded by ErrorWithCode takes precedence. Requires has_errors().
  Status ToStatus() const;

 private:
  std::string file_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
  int code_ = 0;
};

}  // namespace geoekm
