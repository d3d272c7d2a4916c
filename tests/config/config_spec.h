// ConfigSpec: a vault-set configuration written once in a test and rendered
// as INI or as JSON, so every validation rule is tested in both syntaxes from
// one description.
//
// Thread safety: a plain value.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace geoekm::testing {

// One value as each syntax spells it.
struct SpecValue {
  std::string ini;
  std::string json;
};
SpecValue Str(const std::string& s);  // INI text / JSON string
SpecValue Num(const std::string& literal);  // same literal in both: 10, 0.5
SpecValue Bool(bool b);
SpecValue List(const std::vector<std::string>& items);  // "a, b" / ["a","b"]
SpecValue Raw(const std::string& ini, const std::string& json);

class ConfigSpec {
 public:
  // A valid set: provider, three vaults (eastus 10, westus 20, japaneast 30),
  // auth with managed identity.
  static ConfigSpec Valid();

  // section: "provider", "auth", "router", anything else, or "vault.<name>".
  ConfigSpec& Set(const std::string& section, const std::string& key, SpecValue value);
  ConfigSpec& Remove(const std::string& section, const std::string& key);
  ConfigSpec& RemoveSection(const std::string& section);
  ConfigSpec& AddSection(const std::string& section);

  std::string Ini() const;
  std::string Json() const;

 private:
  struct Section {
    std::string name;
    std::vector<std::pair<std::string, SpecValue>> keys;
  };
  Section& Find(const std::string& name);
  std::vector<Section> sections_;
};

}  // namespace geoekm::testing
