#include "provider/cli/command_options.h"

#include <charconv>

#include "core/error_codes.h"

namespace geoekm::cli {
namespace {

Status Usage(const std::string& message) { return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, message); }

}  // namespace

Result<CommandOptions> CommandOptions::Parse(const std::vector<std::string>& args,
                                             const std::set<std::string>& with_value,
                                             const std::set<std::string>& flags) {
  CommandOptions out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) return Usage("unexpected argument '" + a + "'");
    std::string name = a.substr(2);
    std::string value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      if (!with_value.count(name)) return Usage("option --" + name + " takes no value or is unknown");
    } else if (with_value.count(name)) {
      if (i + 1 >= args.size()) return Usage("option --" + name + " needs a value");
      value = args[++i];
    } else if (!flags.count(name)) {
      return Usage("unknown option --" + name);
    }
    if (out.values_.count(name)) return Usage("option --" + name + " given twice");
    out.values_[name] = value;
  }
  return out;
}

std::optional<std::string> CommandOptions::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<long> CommandOptions::GetInt(const std::string& name, long fallback, long min, long max) const {
  auto v = Get(name);
  if (!v) return fallback;
  long value = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), value);
  if (ec != std::errc() || end != v->data() + v->size() || value < min || value > max) {
    return Usage("option --" + name + " must be an integer from " + std::to_string(min) + " to " +
                 std::to_string(max) + ", got '" + *v + "'");
  }
  return value;
}

}  // namespace geoekm::cli
