// [provider]: the identity of the vault set and how the provider runs.
#include <Poco/Ascii.h>
#include <Poco/String.h>

#include <algorithm>
#include <set>

#include "keyvault/keys/azure_names.h"
#include "config/referenced_file.h"
#include "config/section_reader.h"
#include "config/vault_set_sections.h"
#include "core/base64url.h"

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

// "<key name>:<thumbprint>" items; the key must be one of key_names (its
// configured spelling is kept), the thumbprint a canonical base64url
// SHA-256 (43 characters). A thumbprint is public, so it may be echoed.
void ReadPinnedThumbprints(SectionReader& provider, ProviderConfig& out) {
  auto items = provider.List("pinned_thumbprints");
  if (!items) return;
  const std::string allowed = "<key name>:<RFC 7638 JWK thumbprint, 43 characters of base64url>, one per key name";
  for (const std::string& item : *items) {
    const auto colon = item.find(':');
    if (colon == std::string::npos) {
      provider.Error("pinned_thumbprints", "'" + item + "' has no ':'", allowed);
      continue;
    }
    const std::string key = Poco::trim(item.substr(0, colon));
    const std::string thumbprint = Poco::trim(item.substr(colon + 1));
    auto configured = std::find_if(out.key_names.begin(), out.key_names.end(),
                                   [&](const std::string& k) { return Poco::icompare(k, key) == 0; });
    if (configured == out.key_names.end()) {
      provider.Error("pinned_thumbprints", "'" + key + "' is not one of key_names", allowed);
      continue;
    }
    Result<Bytes> digest = Base64UrlDecode(thumbprint);
    if (thumbprint.size() != 43 || !digest.ok() || digest->size() != 32 || Base64UrlEncode(*digest) != thumbprint) {
      provider.Error("pinned_thumbprints",
                     "'" + thumbprint + "' (for '" + key + "') is not an RFC 7638 SHA-256 thumbprint", allowed);
      continue;
    }
    if (!out.pinned_thumbprints.emplace(*configured, thumbprint).second) {
      provider.Error("pinned_thumbprints", "'" + *configured + "' is pinned twice", allowed);
    }
  }
}

}  // namespace

ProviderConfig ReadProviderSection(const ConfigDocument& doc, ConfigDiagnostics& diag) {
  ProviderConfig out;
  const ConfigTable* table = doc.Section("provider");
  if (!table) {
    diag.Error(doc.AbsentSection("provider"), "missing required section",
               "set_name, key_names, state_path (required); wrap_algorithm, log_level, log_file, single_vault, "
               "pinned_thumbprints, key_size");
    return out;
  }
  SectionReader provider(table, {}, doc.syntax,
                         {"set_name", "key_names", "wrap_algorithm", "state_path", "log_level", "log_file",
                          "single_vault", "pinned_thumbprints", "key_size"},
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
      out.wrap_algorithm = *v == "RSA-OAEP" ? WrapAlgorithm::kRsaOaep : WrapAlgorithm::kRsaOaep256;
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
  ReadPinnedThumbprints(provider, out);
  if (auto v = provider.Integer("key_size", 2048, 4096)) {
    if (*v == 2048 || *v == 3072 || *v == 4096) {
      out.key_size = static_cast<int>(*v);
    } else {
      provider.Error("key_size", std::to_string(*v) + " is not an RSA size Key Vault offers", "2048 (default), 3072, 4096");
    }
  }
  return out;
}

}  // namespace geoekm
