#include "config/section_reader.h"

#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>

namespace geoekm {

std::string JoinForMessage(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

SectionReader::SectionReader(const ConfigTable* table, ConfigLocation absent_where, ConfigSyntax syntax,
                             std::vector<std::string> allowed_keys, ConfigDiagnostics& diag)
    : table_(table), where_(table ? table->where : std::move(absent_where)), syntax_(syntax), diag_(diag) {
  if (!table_) return;
  for (const ConfigEntry& entry : table_->entries) {
    if (std::find(allowed_keys.begin(), allowed_keys.end(), entry.key) != allowed_keys.end()) continue;
    std::string problem = entry.value.type == ConfigValue::Type::kTable
                              ? "unexpected nested section/object '" + entry.key + "' in " + where_.path
                              : "unknown key '" + entry.key + "' in " + where_.path;
    std::string lower = Poco::toLower(entry.key);
    if (lower != entry.key && std::find(allowed_keys.begin(), allowed_keys.end(), lower) != allowed_keys.end()) {
      problem += " (key names are lower case: did you mean '" + lower + "'?)";
    }
    diag_.Error(entry.where, problem, JoinForMessage(allowed_keys));
  }
}

const ConfigEntry* SectionReader::Find(const std::string& key) const {
  if (!table_) return nullptr;
  for (const ConfigEntry& entry : table_->entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

ConfigLocation SectionReader::Where(const std::string& key) const {
  const ConfigEntry* entry = Find(key);
  return entry ? entry->where : where_;
}

void SectionReader::Error(const std::string& key, const std::string& problem, const std::string& allowed) {
  const ConfigEntry* entry = Find(key);
  if (entry) {
    diag_.Error(entry->where, problem, allowed);
  } else {
    diag_.Error(where_, key + ": " + problem, allowed);
  }
}

const ConfigEntry* SectionReader::Lookup(const std::string& key, Need need) {
  const ConfigEntry* entry = Find(key);
  if (!entry && need == Need::kRequired) {
    diag_.Error(where_, "missing required key '" + key + "' in " + where_.path);
  }
  return entry;
}

void SectionReader::TypeError(const ConfigEntry& entry, const char* expected) {
  diag_.Error(entry.where, std::string("must be ") + expected + ", got " + ConfigValue::Describe(entry.value.type));
}

std::optional<std::string> SectionReader::String(const std::string& key, Need need, bool allow_empty) {
  const ConfigEntry* entry = Lookup(key, need);
  if (!entry) return std::nullopt;
  using T = ConfigValue::Type;
  if (entry->value.type != T::kText && entry->value.type != T::kString) {
    TypeError(*entry, "a string");
    return std::nullopt;
  }
  if (entry->value.text.empty() && !allow_empty) {
    diag_.Error(entry->where, "is empty", "a value, or leave the key out");
    return std::nullopt;
  }
  return entry->value.text;
}

std::optional<long long> SectionReader::Integer(const std::string& key, long long min, long long max, Need need) {
  const ConfigEntry* entry = Lookup(key, need);
  if (!entry) return std::nullopt;
  using T = ConfigValue::Type;
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  Poco::Int64 value = 0;
  bool typed = entry->value.type == T::kInteger || (syntax_ == ConfigSyntax::kIni && entry->value.type == T::kText);
  if (!typed) {
    TypeError(*entry, "an integer");
    return std::nullopt;
  }
  if (!Poco::NumberParser::tryParse64(entry->value.text, value)) {
    diag_.Error(entry->where, "'" + entry->value.text + "' is not an integer", range);
    return std::nullopt;
  }
  if (value < min || value > max) {
    diag_.Error(entry->where, std::to_string(value) + " is out of range", range);
    return std::nullopt;
  }
  return value;
}

std::optional<double> SectionReader::Number(const std::string& key, double min, double max, Need need) {
  const ConfigEntry* entry = Lookup(key, need);
  if (!entry) return std::nullopt;
  using T = ConfigValue::Type;
  const std::string range = "a number from " + Poco::NumberFormatter::format(min) + " to " +
                            Poco::NumberFormatter::format(max);
  bool typed = entry->value.type == T::kInteger || entry->value.type == T::kNumber ||
               (syntax_ == ConfigSyntax::kIni && entry->value.type == T::kText);
  if (!typed) {
    TypeError(*entry, "a number");
    return std::nullopt;
  }
  double value = 0;
  if (!Poco::NumberParser::tryParseFloat(entry->value.text, value)) {
    diag_.Error(entry->where, "'" + entry->value.text + "' is not a number", range);
    return std::nullopt;
  }
  if (!(value >= min && value <= max)) {
    diag_.Error(entry->where, entry->value.text + " is out of range", range);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> SectionReader::Bool(const std::string& key, Need need) {
  const ConfigEntry* entry = Lookup(key, need);
  if (!entry) return std::nullopt;
  using T = ConfigValue::Type;
  if (entry->value.type == T::kBool) return entry->value.text == "true";
  if (syntax_ == ConfigSyntax::kIni && entry->value.type == T::kText) {
    std::string lower = Poco::toLower(entry->value.text);
    if (lower == "true") return true;
    if (lower == "false") return false;
    diag_.Error(entry->where, "'" + entry->value.text + "' is not a boolean", "true, false");
    return std::nullopt;
  }
  TypeError(*entry, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::vector<std::string>> SectionReader::List(const std::string& key, Need need) {
  const ConfigEntry* entry = Lookup(key, need);
  if (!entry) return std::nullopt;
  using T = ConfigValue::Type;
  std::vector<std::string> items;
  if (syntax_ == ConfigSyntax::kIni && entry->value.type == T::kText) {
    Poco::StringTokenizer tokens(entry->value.text, ",", Poco::StringTokenizer::TOK_TRIM);
    items.assign(tokens.begin(), tokens.end());
  } else if (entry->value.type == T::kList && entry->value.items_are_strings) {
    for (const std::string& item : entry->value.items) items.push_back(Poco::trim(item));
  } else {
    TypeError(*entry, syntax_ == ConfigSyntax::kIni ? "a comma-separated list" : "an array of strings");
    return std::nullopt;
  }
  if (items.empty() || std::any_of(items.begin(), items.end(), [](const std::string& s) { return s.empty(); })) {
    diag_.Error(entry->where, "is empty or has an empty item", "one or more non-empty names");
    return std::nullopt;
  }
  return items;
}

}  // namespace geoekm
