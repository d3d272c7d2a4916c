#include "deploy/vaultsim/vault_config.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

#include "core/error_codes.h"
#include "deploy/vaultsim/permissions.h"

namespace geoekm::vaultsim {
namespace {

Status Invalid(const std::string& what) {
  return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "vault config: " + what);
}

// Reads a required (or optional) string member; false + status on type errors.
Status ReadString(const Poco::JSON::Object& o, const std::string& key, bool required, std::string* out) {
  if (!o.has(key) || o.isNull(key)) {
    return required ? Invalid("missing \"" + key + "\"") : Status::Ok();
  }
  Poco::Dynamic::Var v = o.get(key);
  if (!v.isString()) return Invalid("\"" + key + "\" must be a string");
  *out = v.extract<std::string>();
  if (required && out->empty()) return Invalid("\"" + key + "\" must not be empty");
  return Status::Ok();
}

Status ReadInt(const Poco::JSON::Object& o, const std::string& key, int lo, int hi, int* out) {
  if (!o.has(key) || o.isNull(key)) return Status::Ok();
  Poco::Dynamic::Var v = o.get(key);
  if (!v.isInteger()) return Invalid("\"" + key + "\" must be an integer");
  long long n = v.convert<long long>();
  if (n < lo || n > hi) return Invalid("\"" + key + "\" out of range");
  *out = static_cast<int>(n);
  return Status::Ok();
}

Status ReadBool(const Poco::JSON::Object& o, const std::string& key, bool* out) {
  if (!o.has(key) || o.isNull(key)) return Status::Ok();
  Poco::Dynamic::Var v = o.get(key);
  if (!v.isBoolean()) return Invalid("\"" + key + "\" must be true or false");
  *out = v.extract<bool>();
  return Status::Ok();
}

#define VAULTSIM_TRY(expr)           \
  do {                               \
    Status _s = (expr);              \
    if (!_s.ok()) return _s;         \
  } while (false)

Status Fill(const Poco::JSON::Object& o, VaultConfig* c) {
  VAULTSIM_TRY(ReadString(o, "name", true, &c->name));
  VAULTSIM_TRY(ReadString(o, "region", true, &c->region));
  VAULTSIM_TRY(ReadString(o, "geography", true, &c->geography));
  VAULTSIM_TRY(ReadString(o, "host", true, &c->host));
  VAULTSIM_TRY(ReadInt(o, "port", 0, 65535, &c->port));
  VAULTSIM_TRY(ReadString(o, "port_file", false, &c->port_file));
  VAULTSIM_TRY(ReadString(o, "resource", true, &c->resource));
  VAULTSIM_TRY(ReadString(o, "tenant", true, &c->tenant));
  VAULTSIM_TRY(ReadString(o, "authority", true, &c->authority));
  VAULTSIM_TRY(ReadString(o, "token_signing_cert", true, &c->token_signing_cert));
  VAULTSIM_TRY(ReadString(o, "tls_cert", true, &c->tls_cert));
  VAULTSIM_TRY(ReadString(o, "tls_key", true, &c->tls_key));
  VAULTSIM_TRY(ReadString(o, "data_dir", true, &c->data_dir));
  VAULTSIM_TRY(ReadBool(o, "firewall_deny", &c->firewall_deny));
  VAULTSIM_TRY(ReadInt(o, "soft_delete_retention_days", 7, 90, &c->soft_delete_retention_days));
  while (!c->authority.empty() && c->authority.back() == '/') c->authority.pop_back();

  Poco::JSON::Object::Ptr admin = o.getObject("admin");
  if (!admin) return Invalid("missing \"admin\" object");
  VAULTSIM_TRY(ReadInt(*admin, "port", 0, 65535, &c->admin_port));
  VAULTSIM_TRY(ReadString(*admin, "port_file", false, &c->admin_port_file));
  VAULTSIM_TRY(ReadString(*admin, "token", true, &c->admin_token));

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
    VAULTSIM_TRY(ReadBool(*t, "enabled", &c->throttling.enabled));
    VAULTSIM_TRY(ReadBool(*t, "retry_after", &c->throttling.retry_after));
    VAULTSIM_TRY(ReadInt(*t, "window_seconds", 1, 3600, &c->throttling.window_seconds));
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
  std::ifstream in(path);
  if (!in) return Invalid("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<VaultConfig> r = ParseVaultConfig(ss.str());
  if (!r.ok()) return Status(r.status()).Prefix(path + ": ");
  return r;
}

}  // namespace geoekm::vaultsim
