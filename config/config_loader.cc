#include "config/config_loader.h"

#include <Poco/Path.h>
#include <Poco/String.h>

#include <fstream>
#include <sstream>

#include "config/config_diagnostics.h"
#include "config/ini_config_reader.h"
#include "config/json_config_reader.h"
#include "config/referenced_file.h"
#include "config/section_reader.h"
#include "config/vault_set_sections.h"

namespace geoekm {
namespace {

std::optional<ConfigDocument> ReadDocument(const std::string& path, ConfigDiagnostics& diag) {
  std::string extension = Poco::toLower(Poco::Path(path).getExtension());
  if (extension != "ini" && extension != "json") {
    diag.Error({path, 0, ""}, "unsupported file extension '" + extension + "'", ".ini, .json");
    return std::nullopt;
  }
  if (auto problem = CheckReadableFile(path)) {
    diag.Error({path, 0, ""}, "the configuration file " + *problem);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    diag.Error({path, 0, ""}, "cannot read the configuration file");
    return std::nullopt;
  }
  return extension == "ini" ? ReadIniConfig(path, text.str(), diag) : ReadJsonConfig(path, text.str(), diag);
}

void ReportUnknownTopLevel(const ConfigDocument& doc, ConfigDiagnostics& diag) {
  const bool ini = doc.syntax == ConfigSyntax::kIni;
  const std::string allowed =
      ini ? "[provider], [auth], [router], [vault.<name>]" : "\"provider\", \"auth\", \"router\", \"vaults\"";
  for (const ConfigTable& table : doc.sections) {
    if (table.name == "provider" || table.name == "auth" || table.name == "router") continue;
    diag.Error(table.where, std::string("unknown ") + (ini ? "section " : "key ") + table.where.path, allowed);
  }
  for (const ConfigEntry& entry : doc.stray) {
    if (!ini && (entry.key == "provider" || entry.key == "auth" || entry.key == "router")) {
      diag.Error(entry.where, std::string("must be an object, got ") + ConfigValue::Describe(entry.value.type));
    } else {
      diag.Error(entry.where,
                 ini ? "key '" + entry.key + "' outside any section" : "unknown key '" + entry.key + "'", allowed);
    }
  }
}

}  // namespace

Result<VaultSetConfig> LoadVaultSetConfig(const std::string& path) {
  ConfigDiagnostics diag(path);
  std::optional<ConfigDocument> doc = ReadDocument(path, diag);
  if (!doc) return diag.ToStatus();

  VaultSetConfig config;
  config.source_file = path;
  ReportUnknownTopLevel(*doc, diag);
  config.provider = ReadProviderSection(*doc, diag);
  config.vaults = ReadVaultSections(*doc, config.provider, diag);
  config.auth = ReadAuthSection(*doc, diag);
  config.router = ReadRouterSection(*doc, diag);
  if (diag.has_errors()) return diag.ToStatus();
  config.warnings = diag.warnings();
  return config;
}

}  // namespace geoekm
