// ConfigDocument: one configuration file read into a syntax-neutral tree of
// tables, so that a single schema (config/vault_set_schema.h) validates INI
// and JSON alike and reports errors at the place the user wrote them.
//
// The readers (config/ini_config_reader.h, config/json_config_reader.h) build
// it with Poco::Util configurations; they keep what the syntax knows about
// types (JSON has numbers and booleans, INI has only text) so the schema can
// reject a JSON "priority": "1" while parsing an INI priority = 1.
//
// Thread safety: a plain value.
#pragma once

#include <string>
#include <vector>

namespace geoekm {

enum class ConfigSyntax { kIni, kJson };

// Where something is in the file: "vaults.ini:12: vault.eastus.url" or
// "vaults.json: vaults[1].url". line is 0 when unknown.
struct ConfigLocation {
  std::string file;
  int line = 0;
  std::string path;  // the key path in the syntax's own notation

  std::string ToString() const;
};

struct ConfigValue {
  enum class Type {
    kText,     // INI: untyped text, converted by the schema
    kString,   // JSON string
    kInteger,  // JSON number without fraction
    kNumber,   // JSON number with fraction or exponent
    kBool,     // JSON true/false
    kNull,     // JSON null
    kList,     // JSON array (items holds the elements as text)
    kTable,    // a nested section/object where a value was expected
  };
  Type type = Type::kText;
  std::string text;                // scalars: the value as text
  std::vector<std::string> items;  // kList: each element as text
  bool items_are_strings = true;   // kList: false if any element is not a JSON string

  // "a string", "an integer", ... for type errors.
  static const char* Describe(Type type);
};

struct ConfigEntry {
  std::string key;
  ConfigValue value;
  ConfigLocation where;
};

struct ConfigTable {
  std::string name;  // section name ("provider") or the vault name (INI) / "" (JSON)
  ConfigLocation where;  // the section header / the object
  std::vector<ConfigEntry> entries;  // in file order where the syntax keeps it
};

struct ConfigDocument {
  std::string file;  // as given by the user; used in every message
  ConfigSyntax syntax = ConfigSyntax::kIni;
  std::vector<ConfigTable> sections;  // top-level tables other than the vaults
  std::vector<ConfigTable> vaults;    // in file order
  bool vaults_present = false;        // JSON "vaults" / any INI [vault.*]
  std::vector<ConfigEntry> stray;     // top-level keys outside any section

  // The top-level table `name` (exact match), or null.
  const ConfigTable* Section(const std::string& name) const;
  // How to point at section `name` when it is absent: "[auth]" / "auth".
  ConfigLocation AbsentSection(const std::string& name) const;
};

}  // namespace geoekm
