#include "vaultsim/login_config.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/String.h>

#include <fstream>

#include "vaultsim/config_fields.h"
#include "vaultsim/status_try.h"

namespace geoekm::vaultsim {
namespace {

const ConfigFields kFields("login config: ");

Status Invalid(const std::string& what) { return kFields.Invalid(what); }

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || base_dir.empty() || Poco::Path(path).isAbsolute()) return path;
  return Poco::Path(Poco::Path::forDirectory(base_dir), path).toString();
}

Result<SecureString> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("cannot read secret_file " + path);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  SecureString s(size, '\0');
  in.read(s.data(), static_cast<std::streamsize>(size));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) return Invalid("secret_file " + path + " is empty");
  return s;
}

Status ParseApp(const Poco::JSON::Object& o, const std::string& base_dir, LoginApp* app) {
  VAULTSIM_TRY(kFields.ReadString(o, "client_id", true, &app->client_id));
  app->client_id = Poco::toLower(app->client_id);
  VAULTSIM_TRY(kFields.ReadString(o, "tenant", true, &app->tenant));
  app->tenant = Poco::toLower(app->tenant);
  std::vector<std::string> inline_secrets;
  VAULTSIM_TRY(kFields.ReadStringList(o, "secrets", &inline_secrets));
  for (auto& s : inline_secrets) {
    if (s.empty()) return Invalid("app " + app->client_id + ": empty secret");
    app->secrets.emplace_back(s.begin(), s.end());
  }
  std::string secret_file;
  VAULTSIM_TRY(kFields.ReadString(o, "secret_file", false, &secret_file));
  if (!secret_file.empty()) {
    auto s = ReadSecretFile(Resolve(base_dir, secret_file));
    if (!s.ok()) return s.status();
    app->secrets.push_back(std::move(s).value());
  }
  std::vector<std::string> certs;
  VAULTSIM_TRY(kFields.ReadStringList(o, "certificates", &certs));
  for (auto& c : certs) app->certificate_files.push_back(Resolve(base_dir, c));
  if (app->secrets.empty() && app->certificate_files.empty()) {
    return Invalid("app " + app->client_id + " has neither secrets nor certificates");
  }
  return Status::Ok();
}

Status ParseIdentity(const Poco::JSON::Object& o, ManagedIdentity* mi) {
  VAULTSIM_TRY(kFields.ReadString(o, "client_id", true, &mi->client_id));
  mi->client_id = Poco::toLower(mi->client_id);
  VAULTSIM_TRY(kFields.ReadString(o, "object_id", false, &mi->object_id));
  mi->object_id = Poco::toLower(mi->object_id);
  VAULTSIM_TRY(kFields.ReadString(o, "resource_id", false, &mi->resource_id));
  VAULTSIM_TRY(kFields.ReadString(o, "app_id", false, &mi->app_id));
  mi->app_id = mi->app_id.empty() ? mi->client_id : Poco::toLower(mi->app_id);
  VAULTSIM_TRY(kFields.ReadString(o, "tenant", true, &mi->tenant));
  mi->tenant = Poco::toLower(mi->tenant);
  VAULTSIM_TRY(kFields.ReadBool(o, "system_assigned", &mi->system_assigned));
  return Status::Ok();
}

Status Fill(const Poco::JSON::Object& o, const std::string& base_dir, LoginConfig* c) {
  VAULTSIM_TRY(kFields.ReadString(o, "host", false, &c->host));
  if (c->host.empty()) return Invalid("\"host\" must not be empty");
  VAULTSIM_TRY(kFields.ReadInt(o, "port", 0, 65535, &c->port));
  VAULTSIM_TRY(kFields.ReadString(o, "port_file", false, &c->port_file));
  VAULTSIM_TRY(kFields.ReadRequiredStrings(o, {{"tls_cert", &c->tls_cert},
                                               {"tls_key", &c->tls_key},
                                               {"signing_key", &c->signing_key},
                                               {"signing_cert", &c->signing_cert}}));
  for (std::string* p : {&c->port_file, &c->tls_cert, &c->tls_key, &c->signing_key, &c->signing_cert}) {
    *p = Resolve(base_dir, *p);
  }
  VAULTSIM_TRY(kFields.ReadStringList(o, "tenants", &c->tenants));
  if (c->tenants.empty()) return Invalid("\"tenants\" must list at least one tenant id");
  for (auto& t : c->tenants) t = Poco::toLower(t);
  VAULTSIM_TRY(kFields.ReadStringList(o, "resources", &c->resources));
  for (auto& r : c->resources) {
    while (!r.empty() && r.back() == '/') r.pop_back();
  }
  VAULTSIM_TRY(kFields.ReadInt(o, "token_lifetime_seconds", 1, 86400 * 2, &c->token_lifetime_seconds));
  VAULTSIM_TRY(kFields.ReadInt(o, "clock_offset_seconds", -86400 * 365, 86400 * 365, &c->clock_offset_seconds));

  if (o.has("apps")) {
    Poco::JSON::Array::Ptr apps = o.getArray("apps");
    if (!apps) return Invalid("\"apps\" must be an array");
    for (std::size_t i = 0; i < apps->size(); ++i) {
      Poco::JSON::Object::Ptr a = apps->getObject(static_cast<unsigned>(i));
      if (!a) return Invalid("\"apps\" entries must be objects");
      LoginApp app;
      VAULTSIM_TRY(ParseApp(*a, base_dir, &app));
      if (!c->HasTenant(app.tenant)) return Invalid("app " + app.client_id + ": unknown tenant " + app.tenant);
      if (c->FindApp(app.client_id)) return Invalid("app " + app.client_id + " registered twice");
      c->apps.push_back(std::move(app));
    }
  }

  Poco::JSON::Object::Ptr mi = o.getObject("managed_identity");
  if (mi) {
    c->managed_identity_enabled = true;
    VAULTSIM_TRY(kFields.ReadInt(*mi, "port", 0, 65535, &c->managed_identity_port));
    VAULTSIM_TRY(kFields.ReadString(*mi, "port_file", false, &c->managed_identity_port_file));
    c->managed_identity_port_file = Resolve(base_dir, c->managed_identity_port_file);
    VAULTSIM_TRY(kFields.ReadString(*mi, "identity_header", false, &c->identity_header));
    if (mi->has("identities")) {
      Poco::JSON::Array::Ptr ids = mi->getArray("identities");
      if (!ids) return Invalid("\"managed_identity.identities\" must be an array");
      int system_assigned = 0;
      for (std::size_t i = 0; i < ids->size(); ++i) {
        Poco::JSON::Object::Ptr e = ids->getObject(static_cast<unsigned>(i));
        if (!e) return Invalid("\"managed_identity.identities\" entries must be objects");
        ManagedIdentity id;
        VAULTSIM_TRY(ParseIdentity(*e, &id));
        if (!c->HasTenant(id.tenant)) return Invalid("identity " + id.client_id + ": unknown tenant " + id.tenant);
        system_assigned += id.system_assigned ? 1 : 0;
        c->managed_identities.push_back(std::move(id));
      }
      if (system_assigned > 1) return Invalid("at most one managed identity may be system_assigned");
    }
  }
  return Status::Ok();
}

}  // namespace

const LoginApp* LoginConfig::FindApp(const std::string& client_id) const {
  const std::string id = Poco::toLower(client_id);
  for (const auto& a : apps) {
    if (a.client_id == id) return &a;
  }
  return nullptr;
}

bool LoginConfig::HasTenant(const std::string& tenant) const {
  const std::string t = Poco::toLower(tenant);
  for (const auto& x : tenants) {
    if (x == t) return true;
  }
  return false;
}

Result<LoginConfig> ParseLoginConfig(const std::string& json_text, const std::string& base_dir) {
  LoginConfig c;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var root = parser.parse(json_text);
    Poco::JSON::Object::Ptr o = root.extract<Poco::JSON::Object::Ptr>();
    VAULTSIM_TRY(Fill(*o, base_dir, &c));
  } catch (const Poco::Exception& e) {
    return Invalid("not a JSON object: " + e.displayText());
  }
  return c;
}

Result<LoginConfig> LoadLoginConfig(const std::string& path) {
  Result<std::string> text = kFields.ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseLoginConfig(*text, Poco::Path(path).parent().toString());
}

}  // namespace geoekm::vaultsim
