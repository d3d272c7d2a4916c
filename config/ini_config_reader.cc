#include "config/ini_config_reader.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Util/IniFileConfiguration.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace geoekm {
namespace {

std::string Lower(std::string s) { return Poco::toLower(s); }

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The text with comments cut off, line by line (so line numbers stay): a ';'
// or '#' at the start of a line or after a blank starts a comment, as people
// write them in INI files ("priority = 10   ; lower is preferred"). A ';' or
// '#' inside a value ("s3cr#t") is kept. Poco itself only knows whole-line
// ';' comments.
std::string WithoutComments(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_comment = false;
  bool after_blank = true;  // the start of a line counts as after a blank
  for (char c : text) {
    if (c == '\n') {
      in_comment = false;
      after_blank = true;
      out += c;
      continue;
    }
    if (in_comment) continue;
    if ((c == ';' || c == '#') && after_blank) {
      in_comment = true;
      continue;
    }
    after_blank = IsBlank(c);
    out += c;
  }
  return out;
}

// Where each section header and key is, found with the same rules
// IniFileConfiguration::parseLine applies to the text without comments
// (leading blanks skipped, '[' header up to ']', key up to '=', both trimmed).
struct IniLineIndex {
  std::map<std::string, std::vector<int>> key_lines;  // lower-case full key -> lines
  std::map<std::string, int> section_lines;          // lower-case section -> first header line
  std::vector<std::pair<std::string, int>> sections;  // headers in file order, as written
};

IniLineIndex IndexLines(const std::string& text) {
  IniLineIndex index;
  std::istringstream in(text);
  std::string line;
  std::string section;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string trimmed = Poco::trim(line);
    if (trimmed.empty()) continue;
    if (trimmed[0] == '[') {
      std::string::size_type close = trimmed.find(']');
      section = Poco::trim(trimmed.substr(1, close == std::string::npos ? std::string::npos : close - 1));
      index.section_lines.emplace(Lower(section), number);
      index.sections.emplace_back(section, number);
      continue;
    }
    std::string key = Poco::trim(trimmed.substr(0, trimmed.find('=')));
    std::string full = section.empty() ? key : section + "." + key;
    index.key_lines[Lower(full)].push_back(number);
  }
  return index;
}

class IniDocumentBuilder {
 public:
  IniDocumentBuilder(const std::string& file, const Poco::Util::IniFileConfiguration& ini,
                     const IniLineIndex& index, ConfigDiagnostics& diag)
      : file_(file), ini_(ini), index_(index), diag_(diag) {}

  ConfigDocument Build() {
    ConfigDocument doc;
    doc.file = file_;
    doc.syntax = ConfigSyntax::kIni;
    ReportDuplicateKeys();
    Poco::Util::AbstractConfiguration::Keys roots;
    ini_.keys("", roots);
    for (const std::string& root : roots) {
      if (ini_.has(root)) doc.stray.push_back(Entry(root, root));
      if (Lower(root) == "vault") {
        AddVaults(root, doc);
      } else if (HasChildren(root)) {
        doc.sections.push_back(Table(root, root));
      }
    }
    AddEmptySections(doc);
    auto by_line = [](const ConfigTable& a, const ConfigTable& b) { return a.where.line < b.where.line; };
    std::stable_sort(doc.sections.begin(), doc.sections.end(), by_line);
    std::stable_sort(doc.vaults.begin(), doc.vaults.end(), by_line);
    return doc;
  }

 private:
  bool HasChildren(const std::string& key) const {
    Poco::Util::AbstractConfiguration::Keys children;
    ini_.keys(key, children);
    return !children.empty();
  }

  int KeyLine(const std::string& full_key) const {
    auto it = index_.key_lines.find(Lower(full_key));
    // Poco keeps the last value of a repeated key; point at that one.
    return it == index_.key_lines.end() ? 0 : it->second.back();
  }

  int SectionLine(const std::string& section) const {
    auto it = index_.section_lines.find(Lower(section));
    return it == index_.section_lines.end() ? 0 : it->second;
  }

  ConfigEntry Entry(const std::string& key, const std::string& full_key) const {
    ConfigEntry entry;
    entry.key = key;
    entry.value.type = ConfigValue::Type::kText;
    entry.value.text = ini_.getRawString(full_key, "");
    entry.where = {file_, KeyLine(full_key), full_key};
    return entry;
  }

  ConfigTable Table(const std::string& name, const std::string& section) {
    ConfigTable table;
    table.name = name;
    table.where = {file_, SectionLine(section), "[" + section + "]"};
    Poco::Util::AbstractConfiguration::Keys keys;
    ini_.keys(section, keys);
    for (const std::string& key : keys) {
      std::string full = section + "." + key;
      if (ini_.has(full)) table.entries.push_back(Entry(key, full));
      if (HasChildren(full)) {
        ConfigEntry nested;
        nested.key = key;
        nested.value.type = ConfigValue::Type::kTable;
        nested.where = {file_, SectionLine(full), "[" + full + "]"};
        table.entries.push_back(nested);
      }
    }
    std::stable_sort(table.entries.begin(), table.entries.end(),
                     [](const ConfigEntry& a, const ConfigEntry& b) { return a.where.line < b.where.line; });
    // No header of its own ([vault.x.y] alone creates vault x): point at its first key.
    if (table.where.line == 0 && !table.entries.empty()) table.where.line = table.entries.front().where.line;
    return table;
  }

  void AddVaults(const std::string& root, ConfigDocument& doc) {
    doc.vaults_present = true;
    Poco::Util::AbstractConfiguration::Keys names;
    ini_.keys(root, names);
    for (const std::string& name : names) {
      std::string section = root + "." + name;
      if (ini_.has(section)) {
        diag_.Error({file_, KeyLine(section), section},
                    "key directly in [" + root + "]; each vault is its own section",
                    "[vault.<name>] sections");
      }
      if (HasChildren(section)) doc.vaults.push_back(VaultTable(name, section));
    }
  }

  // The vault's name is its section name; a `name` key would be a second,
  // possibly different, name.
  ConfigTable VaultTable(const std::string& name, const std::string& section) {
    ConfigTable table = Table(name, section);
    auto explicit_name = std::find_if(table.entries.begin(), table.entries.end(),
                                      [](const ConfigEntry& e) { return e.key == "name"; });
    if (explicit_name != table.entries.end()) {
      diag_.Error(explicit_name->where, "in INI files the vault's name is its section name [vault." + name +
                                            "]; remove this key");
      table.entries.erase(explicit_name);
    }
    ConfigEntry name_entry;
    name_entry.key = "name";
    name_entry.value.text = name;
    name_entry.where = table.where;
    table.entries.insert(table.entries.begin(), name_entry);
    return table;
  }

  // Poco forgets sections without keys; they still matter ([vault.x] with
  // nothing in it is a vault missing its url).
  void AddEmptySections(ConfigDocument& doc) {
    for (const auto& [section, line] : index_.sections) {
      if (HasChildren(section)) continue;
      std::string lower = Lower(section);
      if (lower.rfind("vault.", 0) == 0) {
        doc.vaults_present = true;
        ConfigTable table = VaultTable(section.substr(6), section);
        table.where.line = line;
        doc.vaults.push_back(table);
      } else if (lower.find('.') == std::string::npos && !section.empty()) {
        if (std::none_of(doc.sections.begin(), doc.sections.end(),
                         [&](const ConfigTable& t) { return Lower(t.name) == lower; })) {
          ConfigTable table;
          table.name = section;
          table.where = {file_, line, "[" + section + "]"};
          doc.sections.push_back(table);
        }
      } else {
        diag_.Error({file_, line, "[" + section + "]"}, "empty or misplaced section header",
                    "[provider], [auth], [router], [vault.<name>]");
      }
    }
  }

  void ReportDuplicateKeys() {
    for (const auto& [key, lines] : index_.key_lines) {
      for (std::size_t i = 1; i < lines.size(); ++i) {
        diag_.Error({file_, lines[i], key},
                    "key given again (first on line " + std::to_string(lines[0]) + ")",
                    "each key once per section");
      }
    }
  }

  const std::string& file_;
  const Poco::Util::IniFileConfiguration& ini_;
  const IniLineIndex& index_;
  ConfigDiagnostics& diag_;
};

}  // namespace

std::optional<ConfigDocument> ReadIniConfig(const std::string& file, const std::string& text,
                                            ConfigDiagnostics& diag) {
  const std::string content = WithoutComments(text);
  Poco::AutoPtr<Poco::Util::IniFileConfiguration> ini;
  try {
    std::istringstream in(content);
    ini = new Poco::Util::IniFileConfiguration(in);
  } catch (const Poco::Exception& e) {
    diag.Error({file, 0, ""}, "cannot read as INI: " + e.displayText());
    return std::nullopt;
  }
  IniLineIndex index = IndexLines(content);
  return IniDocumentBuilder(file, *ini, index, diag).Build();
}

}  // namespace geoekm
