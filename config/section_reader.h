// SectionReader: typed, checked access to one table of a ConfigDocument
// ([provider], [auth], one vault, ...), recording every problem in
// ConfigDiagnostics instead of stopping at the first.
//
// On construction it reports keys the schema does not allow (naming the
// allowed ones). Each getter returns nullopt when the key is absent or wrong,
// after recording why. INI text is converted (priority = 1); JSON values must
// already have the right type ("priority": "1" is an error).
//
// Getters never put a value into a message unless the caller says the key is
// not secret (messages about secrets name only the key).
//
// Thread safety: not thread-safe; one instance per table per load.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config_diagnostics.h"
#include "config/config_document.h"

namespace geoekm {

class SectionReader {
 public:
  // `table` may be null (the section is absent): getters then return nullopt
  // and required keys are reported against `absent_where`.
  SectionReader(const ConfigTable* table, ConfigLocation absent_where, ConfigSyntax syntax,
                std::vector<std::string> allowed_keys, ConfigDiagnostics& diag);

  enum class Need { kOptional, kRequired };

  bool Has(const std::string& key) const { return Find(key) != nullptr; }
  // The key's location, or the table's when the key is absent.
  ConfigLocation Where(const std::string& key) const;
  // "[auth]" / "auth" / "vaults[1]": how messages name this table.
  const std::string& label() const { return where_.path; }
  const ConfigLocation& where() const { return where_; }

  // A string, non-empty unless `allow_empty`.
  std::optional<std::string> String(const std::string& key, Need need = Need::kOptional, bool allow_empty = false);
  // A whole number in [min, max].
  std::optional<long long> Integer(const std::string& key, long long min, long long max,
                                   Need need = Need::kOptional);
  // A number in [min, max].
  std::optional<double> Number(const std::string& key, double min, double max, Need need = Need::kOptional);
  // true/false (INI: case-insensitive text).
  std::optional<bool> Bool(const std::string& key, Need need = Need::kOptional);
  // INI: comma-separated text; JSON: array of strings. Items are trimmed and
  // must be non-empty.
  std::optional<std::vector<std::string>> List(const std::string& key, Need need = Need::kOptional);

  // Records an error about `key` (at its location).
  void Error(const std::string& key, const std::string& problem, const std::string& allowed = "");

 private:
  const ConfigEntry* Find(const std::string& key) const;
  // Reports the missing key if required; returns the entry when present.
  const ConfigEntry* Lookup(const std::string& key, Need need);
  void TypeError(const ConfigEntry& entry, const char* expected);

  const ConfigTable* table_;
  ConfigLocation where_;
  ConfigSyntax syntax_;
  ConfigDiagnostics& diag_;
};

// "a, b, c" for messages.
std::string JoinForMessage(const std::vector<std::string>& items);

}  // namespace geoekm
