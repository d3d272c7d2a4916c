#include "vaultsim/vault_config.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "vaultsim/config_fields.h"
#include "vaultsim/permissions.h"
#include "vaultsim/status_try.h"

namespace geoekm::vaultsim {
namespace {

const ConfigFields kFields("vault config: ");

Status Invalid(const std::string& what) { return kFields.Invalid(what); }

Status Fill(const Poco::JSON::Object& o, VaultConfig* c) {
  VAULTSIM_TRY(kFields.ReadRequiredStrings(
      o, {{"name", &c->name}, {"region", &c->region}, {"geography", &c->geography}, {"host", &c->host}}));
  VAULTSIM_TRY(kFields.ReadInt(o, "port", 0, 65535, &c->port));
  VAULTSIM_TRY(kFields.ReadString(o, "port_file", false, &c->port_file));
  VAULTSIM_TRY(kFields.ReadRequiredStrings(o, {{"resource", &c->resource},
                                               {"tenant", &c->tenant},
                                               {"authority", &c->authority},
                                               {"token_signing_cert", &c->token_signing_cert},
                                               {"tls_cert", &c->tls_cert},
                                               {"tls_key", &c->tls_key},
                                               {"data_dir", &c->data_dir}}));
  VAULTSIM_TRY(kFields.ReadBool(o, "firewall_deny", &c->firewall_deny));
  VAULTSIM_TRY(kFields.ReadInt(o, "soft_delete_retention_days", 7, 90, &c->soft_delete_retention_days));
  while (!c->authority.empty() && c->authority.back() == '/') c->authority.pop_back();

  Poco::JSON::Object::Ptr admin = o.getObject("admin");
  if (!admin) return Invalid("missing \"admin\" object");
  VAULTSIM_TRY(kFields.ReadInt(*admin, "port", 0, 65535, &c->admin_port));
  VAULTSIM_TRY(kFields.ReadString(*admin, "port_file", false, &c->admin_port_file));
  VAULTSIM_TRY(kFields.ReadString(*admin, "token", true, &c->admin_token));

  Poco::JSON::Object::Ptr secrets = o.getObject("backup_secrets");
  if (!secrets) return Invalid("missing \"backup_secrets\" object");
  for (const auto& [geo, value] : *secrets) {
    if (!value.isString()) return Invalid("backup_secrets values must be strings");
    c->backup_secrets[geo] = value.extract<std::string>();
  }
  auto own = c->backup_secrets.find(c->geography);
  if (own == c->backup_secrets.end()) return Invalid("backup_secrets has no entry for geography \"" + c->geography + "\"");
  if (own->second.size() < 16) return Invalid("the backup secret must have at least 16 characters");

  if (Poco::JSON::Object::Ptr policies = o.getObject("access_policies")) {
    for (const auto& [client_id, value] : *policies) {
      Poco::JSON::Array::Ptr perms = policies->getArray(client_id);
      if (!perms) return Invalid("access_policies[\"" + client_id + "\"] must be an array");
      std::set<std::string>& set = c->access_policies[client_id];
      for (std::size_t i = 0; i < perms->size(); ++i) {
        std::string p = perms->getElement<std::string>(static_cast<unsigned>(i));
        if (p == "all") {
          set.insert(AllPermissions().begin(), AllPermissions().end());
          continue;
        }
        std::optional<std::string> canonical = CanonicalPermission(p);
        if (!canonical) return Invalid("unknown permission \"" + p + "\" for client " + client_id);
        set.insert(*canonical);
      }
    }
  }
  if (Poco::JSON::Object::Ptr t = o.getObject("throttling")) {
    VAULTSIM_TRY(kFields.ReadBool(*t, "enabled", &c->throttling.enabled));
    VAULTSIM_TRY(kFields.ReadBool(*t, "retry_after", &c->throttling.retry_after));
    VAULTSIM_TRY(kFields.ReadInt(*t, "window_seconds", 1, 3600, &c->throttling.window_seconds));
    if (t->has("limit_scale")) {
      double scale = t->getValue<double>("limit_scale");
      if (!(scale > 0 && scale <= 1000)) return Invalid("throttling.limit_scale must be in (0, 1000]");
      c->throttling.limit_scale = scale;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<VaultConfig> ParseVaultConfig(const std::string& json_text) {
  VaultConfig config;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var root = parser.parse(json_text);
    Poco::JSON::Object::Ptr o = root.extract<Poco::JSON::Object::Ptr>();
    Status s = Fill(*o, &config);
    if (!s.ok()) return s;
  } catch (const Poco::Exception& e) {
    return Invalid(std::string("not valid JSON of the expected shape: ") + e.message());
  } catch (const std::exception& e) {
    return Invalid(std::string("not valid JSON of the expected shape: ") + e.what());
  }
  return config;
}

Result<VaultConfig> LoadVaultConfig(const std::string& path) {
  Result<std::string> text = kFields.ReadFile(path);
  if (!text.ok()) return text.status();
  Result<VaultConfig> r = ParseVaultConfig(*text);
  if (!r.ok()) return Status(r.status()).Prefix(path + ": ");
  return r;
}

}  // namespace geoekm::vaultsim
