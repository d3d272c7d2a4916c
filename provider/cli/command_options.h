// CommandOptions: the `--name value` / `--flag` arguments of one geoekm
// command, checked against the names the command accepts, so every command
// reports unknown or incomplete options the same way (exit 2).
//
// Thread safety: a plain value.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace geoekm::cli {

class CommandOptions {
 public:
  // `with_value`: options that take a value; `flags`: options that don't.
  static Result<CommandOptions> Parse(const std::vector<std::string>& args, const std::set<std::string>& with_value,
                                      const std::set<std::string>& flags = {});

  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The value as a positive integer within [min, max], or `fallback` when absent.
  Result<long> GetInt(const std::string& name, long fallback, long min, long max) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace geoekm::cli
