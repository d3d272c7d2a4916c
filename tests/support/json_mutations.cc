#include "tests/support/json_mutations.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <optional>
#include <sstream>
#include <stdexcept>

namespace geoekm::testing {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// One step into a document: a member name, or an array index when `name` is unset.
struct Step {
  std::optional<std::string> name;
  unsigned index = 0;
};
using Path = std::vector<Step>;

// Stands in for the replacement while the mutant is stringified; then the
// quoted marker is swapped for the raw replacement text.
constexpr char kMarker[] = "@@json-mutation@@";

struct Replacement {
  std::string what;
  MutantKind kind;
  std::string text;
};

std::string NestedObjects(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += R"({"a":)";
  out += "null";
  out += std::string(depth, '}');
  return out;
}

const std::vector<Replacement>& Replacements() {
  static const std::vector<Replacement> all = {
      {"null", MutantKind::kNull, "null"},
      {"zero", MutantKind::kWholeNumber, "0"},
      {"-1", MutantKind::kWholeNumber, "-1"},
      {"int64 min", MutantKind::kWholeNumber, "-9223372036854775808"},
      {"a fraction", MutantKind::kOtherNumber, "1.5"},
      {"1e300", MutantKind::kOtherNumber, "1e300"},
      {"uint64 max", MutantKind::kOtherNumber, "18446744073709551615"},
      {"true", MutantKind::kBool, "true"},
      {"false", MutantKind::kBool, "false"},
      {"an empty string", MutantKind::kString, R"("")"},
      {"a short string", MutantKind::kString, R"("x")"},
      {"a string of digits", MutantKind::kString, R"("1700000000")"},
      {"a 1 MB string", MutantKind::kString, "\"" + std::string(1 << 20, 'A') + "\""},
      {"an empty array", MutantKind::kEmptyArray, "[]"},
      {"[null]", MutantKind::kArray, "[null]"},
      {"[1]", MutantKind::kArray, "[1]"},
      {"an empty object", MutantKind::kEmptyObject, "{}"},
      {R"({"a":null})", MutantKind::kObject, R"({"a":null})"},
      {"objects nested 60 deep", MutantKind::kObject, NestedObjects(60)},
      {"arrays nested 100000 deep", MutantKind::kTooDeep, NestedArrays(100000)},
  };
  return all;
}

std::string Describe(const Path& path) {
  std::string out;
  for (const Step& step : path) {
    if (step.name) {
      out += (out.empty() ? "" : ".") + *step.name;
    } else {
      out += "[" + std::to_string(step.index) + "]";
    }
  }
  return out;
}

void CollectPaths(const Var& value, Path& at, std::vector<Path>& out) {
  if (value.type() == typeid(Object::Ptr)) {
    for (const auto& [name, member] : *value.extract<Object::Ptr>()) {
      at.push_back(Step{name, 0});
      out.push_back(at);
      CollectPaths(member, at, out);
      at.pop_back();
    }
  } else if (value.type() == typeid(Array::Ptr)) {
    const Array& array = *value.extract<Array::Ptr>();
    for (unsigned i = 0; i < array.size(); ++i) {
      at.push_back(Step{std::nullopt, i});
      out.push_back(at);
      CollectPaths(array.get(i), at, out);
      at.pop_back();
    }
  }
}

Var Parse(const std::string& json) { return Poco::JSON::Parser().parse(json); }

std::string Stringify(const Var& root) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(root, out);
  return out.str();
}

// A fresh copy of `json` with the value at `path` replaced by the marker
// (or deleted when `replacement` is null), stringified.
std::string Mutate(const std::string& json, const Path& path, const Replacement* replacement) {
  Var root = Parse(json);
  Var container = root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    if (path[i].name) {
      container = container.extract<Object::Ptr>()->get(*path[i].name);
    } else {
      container = container.extract<Array::Ptr>()->get(path[i].index);
    }
  }
  const Step& last = path.back();
  if (last.name) {
    Object::Ptr object = container.extract<Object::Ptr>();
    if (replacement) {
      object->set(*last.name, std::string(kMarker));
    } else {
      object->remove(*last.name);
    }
  } else {
    Array::Ptr array = container.extract<Array::Ptr>();
    if (replacement) {
      array->set(last.index, std::string(kMarker));
    } else {
      array->remove(last.index);
    }
  }
  std::string text = Stringify(root);
  if (replacement) {
    const std::string quoted = std::string("\"") + kMarker + "\"";
    const std::size_t at = text.find(quoted);
    if (at == std::string::npos) throw std::logic_error("mutation marker lost");
    text.replace(at, quoted.size(), replacement->text);
  }
  return text;
}

}  // namespace

std::string NestedArrays(std::size_t depth, const std::string& inner) {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

std::vector<JsonMutation> MutationsOf(const std::string& json) {
  std::vector<JsonMutation> out;
  std::vector<Path> paths;
  Path at;
  CollectPaths(Parse(json), at, paths);
  for (const Path& path : paths) {
    const std::string where = Describe(path);
    for (const Replacement& r : Replacements()) out.push_back({where, r.what, r.kind, Mutate(json, path, &r)});
    out.push_back({where, "deleted", MutantKind::kDeleted, Mutate(json, path, nullptr)});
  }
  for (std::size_t n = 0; n < json.size(); ++n) {
    out.push_back({"", "truncated to " + std::to_string(n) + " bytes", MutantKind::kWholeBody, json.substr(0, n)});
  }
  for (const Replacement& r : Replacements()) out.push_back({"", r.what, MutantKind::kWholeBody, r.text});
  out.push_back({"", "objects nested 100000 deep", MutantKind::kWholeBody, NestedObjects(100000)});
  out.push_back({"", "not JSON", MutantKind::kWholeBody, "<html>502 Bad Gateway</html>"});
  return out;
}

}  // namespace geoekm::testing
