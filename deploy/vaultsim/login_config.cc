#include "deploy/vaultsim/login_config.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/String.h>

#include <fstream>
#include <sstream>

#include "core/error_codes.h"

namespace geoekm::vaultsim {
namespace {

Status Invalid(const std::string& what) {
  return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "login config: " + what);
}

#define LOGIN_TRY(expr)      \
  do {                       \
    Status _s = (expr);      \
    if (!_s.ok()) return _s; \
  } while (false)

Status ReadString(const Poco::JSON::Object& o, const std::string& key, bool required, std::string* out) {
  if (!o.has(key) || o.isNull(key)) return required ? Invalid("missing \"" + key + "\"") : Status::Ok();
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
  const long long n = v.convert<long long>();
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

Status ReadStringList(const Poco::JSON::Object& o, const std::string& key, std::vector<std::string>* out) {
  if (!o.has(key) || o.isNull(key)) return Status::Ok();
  Poco::JSON::Array::Ptr a = o.getArray(key);
  if (!a) return Invalid("\"" + key + "\" must be an array of strings");
  for (std::size_t i = 0; i < a->size(); ++i) {
    Poco::Dynamic::Var v = a->get(static_cast<unsigned>(i));
    if (!v.isString()) return Invalid("\"" + key + "\" must be an array of strings");
    out->push_back(v.extract<std::string>());
  }
  return Status::Ok();
}

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
  LOGIN_TRY(ReadString(o, "client_id", true, &app->client_id));
  app->client_id = Poco::toLower(app->client_id);
  LOGIN_TRY(ReadString(o, "tenant", true, &app->tenant));
  app->tenant = Poco::toLower(app->tenant);
  std::vector<std::string> inline_secrets;
  LOGIN_TRY(ReadStringList(o, "secrets", &inline_secrets));
  for (auto& s : inline_secrets) {
    if (s.empty()) return Invalid("app " + app->client_id + ": empty secret");
    app->secrets.emplace_back(s.begin(), s.end());
  }
  std::string secret_file;
  LOGIN_TRY(ReadString(o, "secret_file", false, &secret_file));
  if (!secret_file.empty()) {
    auto s = ReadSecretFile(Resolve(base_dir, secret_file));
    if (!s.ok()) return s.status();
    app->secrets.push_back(std::move(s).value());
  }
  std::vector<std::string> certs;
  LOGIN_TRY(ReadStringList(o, "certificates", &certs));
  for (auto& c : certs) app->certificate_files.push_back(Resolve(base_dir, c));
  if (app->secrets.empty() && app->certificate_files.empty()) {
    return Invalid("app " + app->client_id + " has neither secrets nor certificates");
  }
  return Status::Ok();
}

Status ParseIdentity(const Poco::JSON::Object& o, ManagedIdentity* mi) {
  LOGIN_TRY(ReadString(o, "client_id", true, &mi->client_id));
  mi->client_id = Poco::toLower(mi->client_id);
  LOGIN_TRY(ReadString(o, "object_id", false, &mi->object_id));
  mi->object_id = Poco::toLower(mi->object_id);
  LOGIN_TRY(ReadString(o, "resource_id", false, &mi->resource_id));
  LOGIN_TRY(ReadString(o, "app_id", false, &mi->app_id));
  mi->app_id = mi->app_id.empty() ? mi->client_id : Poco::toLower(mi->app_id);
  LOGIN_TRY(ReadString(o, "tenant", true, &mi->tenant));
  mi->tenant = Poco::toLower(mi->tenant);
  LOGIN_TRY(ReadBool(o, "system_assigned", &mi->system_assigned));
  return Status::Ok();
}

Status Fill(const Poco::JSON::Object& o, const std::string& base_dir, LoginConfig* c) {
  LOGIN_TRY(ReadString(o, "host", false, &c->host));
  if (c->host.empty()) return Invalid("\"host\" must not be empty");
  LOGIN_TRY(ReadInt(o, "port", 0, 65535, &c->port));
  LOGIN_TRY(ReadString(o, "port_file", false, &c->port_file));
  LOGIN_TRY(ReadString(o, "tls_cert", true, &c->tls_cert));
  LOGIN_TRY(ReadString(o, "tls_key", true, &c->tls_key));
  LOGIN_TRY(ReadString(o, "signing_key", true, &c->signing_key));
  LOGIN_TRY(ReadString(o, "signing_cert", true, &c->signing_cert));
  for (std::string* p : {&c->port_file, &c->tls_cert, &c->tls_key, &c->signing_key, &c->signing_cert}) {
    *p = Resolve(base_dir, *p);
  }
  LOGIN_TRY(ReadStringList(o, "tenants", &c->tenants));
  if (c->tenants.empty()) return Invalid("\"tenants\" must list at least one tenant id");
  for (auto& t : c->tenants) t = Poco::toLower(t);
  LOGIN_TRY(ReadStringList(o, "resources", &c->resources));
  for (auto& r : c->resources) {
    while (!r.empty() && r.back() == '/') r.pop_back();
  }
  LOGIN_TRY(ReadInt(o, "token_lifetime_seconds", 1, 86400 * 2, &c->token_lifetime_seconds));
  LOGIN_TRY(ReadInt(o, "clock_offset_seconds", -86400 * 365, 86400 * 365, &c->clock_offset_seconds));

  if (o.has("apps")) {
    Poco::JSON::Array::Ptr apps = o.getArray("apps");
    if (!apps) return Invalid("\"apps\" must be an array");
    for (std::size_t i = 0; i < apps->size(); ++i) {
      Poco::JSON::Object::Ptr a = apps->getObject(static_cast<unsigned>(i));
      if (!a) return Invalid("\"apps\" entries must be objects");
      LoginApp app;
      LOGIN_TRY(ParseApp(*a, base_dir, &app));
      if (!c->HasTenant(app.tenant)) return Invalid("app " + app.client_id + ": unknown tenant " + app.tenant);
      if (c->FindApp(app.client_id)) return Invalid("app " + app.client_id + " registered twice");
      c->apps.push_back(std::move(app));
    }
  }

  Poco::JSON::Object::Ptr mi = o.getObject("managed_identity");
  if (mi) {
    c->managed_identity_enabled = true;
    LOGIN_TRY(ReadInt(*mi, "port", 0, 65535, &c->managed_identity_port));
    LOGIN_TRY(ReadString(*mi, "port_file", false, &c->managed_identity_port_file));
    c->managed_identity_port_file = Resolve(base_dir, c->managed_identity_port_file);
    LOGIN_TRY(ReadString(*mi, "identity_header", false, &c->identity_header));
    if (mi->has("identities")) {
      Poco::JSON::Array::Ptr ids = mi->getArray("identities");
      if (!ids) return Invalid("\"managed_identity.identities\" must be an array");
      int system_assigned = 0;
      for (std::size_t i = 0; i < ids->size(); ++i) {
        Poco::JSON::Object::Ptr e = ids->getObject(static_cast<unsigned>(i));
        if (!e) return Invalid("\"managed_identity.identities\" entries must be objects");
        ManagedIdentity id;
        LOGIN_TRY(ParseIdentity(*e, &id));
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
    LOGIN_TRY(Fill(*o, base_dir, &c));
  } catch (const Poco::Exception& e) {
    return Invalid("not a JSON object: " + e.displayText());
  }
  return c;
}

Result<LoginConfig> LoadLoginConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return ParseLoginConfig(s.str(), Poco::Path(path).parent().toString());
}

}  // namespace geoekm::vaultsim
