// [provider]: the identity of the vault set and how the provider runs.
#include <Poco/Ascii.h>
#include <Poco/String.h>

#include <algorithm>
#include <set>

#include "config/azure_names.h"
#include "config/referenced_file.h"
#include "config/section_reader.h"
#include "config/vault_set_sections.h"

namespace geoekm {
namespace {

bool IsSetName(const std::string& s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return Poco::Ascii::isAlphaNumeric(c) || c == '-' || c == '_' || c == '.';
  });
}

void ReadKeyNames(SectionReader& provider, ConfigDiagnostics& diag, ProviderConfig& out) {
  auto names = provider.List("key_names", SectionReader::Need::kRequired);
  if (!names) return;
  std::set<std::string> seen;  // Key Vault names are case-insensitive
  for (const std::string& name : *names) {
    if (!IsKeyName(name)) {
      provider.Error("key_names", "'" + name + "' is not a Key Vault key name (" + std::to_string(name.size()) +
                                      " characters)",
                     "1 to 127 characters of A-Z a-z 0-9 -");
      continue;
    }
    if (!seen.insert(Poco::toLower(name)).second) {
      provider.Error("key_names", "'" + name + "' is listed twice (key names are case-insensitive)",
                     "each key name once");
      continue;
    }
    if (name.size() > kConnectorMaxKeyNameLength) {
      diag.Warning(provider.Where("key_names"),
                   "key name '" + name + "' has " + std::to_string(name.size()) +
                       " characters. Microsoft's SQL Server Connector for Azure Key Vault limits key names to 26 "
                       "characters because it packs the name into its 26-character thumbprint; geoekm identifies "
                       "key versions by the RFC 7638 JWK thumbprint instead, so it accepts the vault's own limit "
                       "of 127. The Microsoft connector could not use this key.");
    }
    out.key_names.push_back(name);
  }
}

}  // namespace

ProviderConfig ReadProviderSection(const ConfigDocument& doc, ConfigDiagnostics& diag) {
  ProviderConfig out;
  const ConfigTable* table = doc.Section("provider");
  if (!table) {
    diag.Error(doc.AbsentSection("provider"), "missing required section",
               "set_name, key_names, state_path (required); wrap_algorithm, log_level, log_file, single_vault");
    return out;
  }
  SectionReader provider(table, {}, doc.syntax,
                         {"set_name", "key_names", "wrap_algorithm", "state_path", "log_level", "log_file",
                          "single_vault"},
                         diag);
  if (auto v = provider.String("set_name", SectionReader::Need::kRequired)) {
    if (IsSetName(*v)) {
      out.set_name = *v;
    } else {
      provider.Error("set_name", "'" + *v + "' is not a valid set name", "1 to 128 characters of A-Z a-z 0-9 - _ .");
    }
  }
  ReadKeyNames(provider, diag, out);
  if (auto v = provider.String("wrap_algorithm")) {
    if (*v == "RSA-OAEP-256" || *v == "RSA-OAEP") {
      out.wrap_algorithm = *v;
    } else {
      provider.Error("wrap_algorithm", "'" + *v + "' is not supported", "RSA-OAEP-256 (default), RSA-OAEP");
    }
  }
  if (auto v = provider.String("state_path", SectionReader::Need::kRequired)) {
    out.state_path = ResolveConfigPath(doc.file, *v);
  }
  if (auto v = provider.String("log_level")) {
    static const std::pair<const char*, LogLevel> kLevels[] = {
        {"error", LogLevel::kError}, {"warning", LogLevel::kWarning}, {"info", LogLevel::kInfo},
        {"debug", LogLevel::kDebug}};
    auto it = std::find_if(std::begin(kLevels), std::end(kLevels),
                           [&](const auto& level) { return *v == level.first; });
    if (it != std::end(kLevels)) {
      out.log_level = it->second;
    } else {
      provider.Error("log_level", "'" + *v + "' is not a log level", "error, warning, info (default), debug");
    }
  }
  if (auto v = provider.String("log_file")) out.log_file = ResolveConfigPath(doc.file, *v);
  if (auto v = provider.Bool("single_vault")) out.single_vault = *v;
  return out;
}

}  // namespace geoekm
