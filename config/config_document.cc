#include "config/config_document.h"

namespace geoekm {

std::string ConfigLocation::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (!path.empty()) out += ": " + path;
  return out;
}

const char* ConfigValue::Describe(Type type) {
  switch (type) {
    case Type::kText: return "text";
    case Type::kString: return "a string";
    case Type::kInteger: return "an integer";
    case Type::kNumber: return "a number";
    case Type::kBool: return "a boolean";
    case Type::kNull: return "null";
    case Type::kList: return "an array";
    case Type::kTable: return "a section/object";
  }
  return "unknown";
}

const ConfigTable* ConfigDocument::Section(const std::string& name) const {
  for (const ConfigTable& table : sections) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

ConfigLocation ConfigDocument::AbsentSection(const std::string& name) const {
  return {file, 0, syntax == ConfigSyntax::kIni ? "[" + name + "]" : name};
}

}  // namespace geoekm
