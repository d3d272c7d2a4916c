#include "vaultsim/testbed_config_files.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "vaultsim/testbed_failure.h"

namespace geoekm::vaultsim {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;


std::string Pretty(const Object& o) {
  std::ostringstream out;
  o.stringify(out, 2);
  out << "\n";
  return out.str();
}

Object::Ptr NewObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Array::Ptr StringArray(std::initializer_list<std::string> items) {
  Array::Ptr a = new Array;
  for (const auto& s : items) a->add(s);
  return a;
}

// Key permissions the testbed app gets on every vault: everything geoekm and
// the compatibility tests use, and nothing that deletes (docs/ARCHITECTURE.md, invariant 4).
Array::Ptr TestbedPermissions() {
  return StringArray({"get", "list", "wrapKey", "unwrapKey", "backup", "restore", "create", "import", "update",
                      "rotate"});
}

std::string Priority(std::size_t index) { return std::to_string(10 * (index + 1)); }

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::string& text, unsigned mode) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) return TestbedFailure("cannot create " + tmp);
  fchmod(fd, mode);
  const ssize_t n = write(fd, text.data(), text.size());
  close(fd);
  if (n != static_cast<ssize_t>(text.size()) || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return TestbedFailure("cannot write " + path);
  }
  return Status::Ok();
}

Status WriteLoginServiceConfig(const TestbedPlan& p) {
  Object c(Poco::JSON_PRESERVE_KEY_ORDER);
  c.set("host", std::string(kTestbedLoginHost));
  c.set("port", p.login_port);
  c.set("port_file", p.login_port_file);
  c.set("tls_cert", p.pki_dir + "/" + kTestbedLoginHost + "-cert.pem");
  c.set("tls_key", p.pki_dir + "/" + kTestbedLoginHost + "-key.pem");
  c.set("signing_key", p.pki_dir + "/signing-key.pem");
  c.set("signing_cert", p.pki_dir + "/signing-cert.pem");
  c.set("tenants", StringArray({kTestbedTenant}));
  c.set("resources", StringArray({kTestbedResource}));
  c.set("token_lifetime_seconds", 3599);
  Object::Ptr app = NewObject();
  app->set("client_id", std::string(kTestbedClientId));
  app->set("tenant", std::string(kTestbedTenant));
  app->set("secret_file", p.client_secret_file);
  app->set("certificates", StringArray({p.pki_dir + "/client-1-cert.pem"}));
  Array::Ptr apps = new Array;
  apps->add(app);
  c.set("apps", apps);
  Object::Ptr mi = NewObject();
  mi->set("port", p.managed_identity_port);
  mi->set("port_file", p.managed_identity_port_file);
  mi->set("identity_header", p.identity_header);
  Object::Ptr id = NewObject();
  id->set("client_id", std::string(kTestbedManagedIdentityClientId));
  // Tokens of the identity carry the app's id, so the vault policies that
  // name the app apply to it too.
  id->set("app_id", std::string(kTestbedClientId));
  id->set("tenant", std::string(kTestbedTenant));
  id->set("system_assigned", true);
  Array::Ptr ids = new Array;
  ids->add(id);
  mi->set("identities", ids);
  c.set("managed_identity", mi);
  return WriteFileAtomically(p.login_config_file, Pretty(c), 0600);
}

Status WriteVaultServiceConfig(const TestbedPlan& p, const TestbedVault& v) {
  Object c(Poco::JSON_PRESERVE_KEY_ORDER);
  c.set("name", "geoekm-" + v.name);
  c.set("region", v.region);
  c.set("geography", v.geography);
  c.set("host", v.host);
  c.set("port", v.port);
  c.set("port_file", v.port_file);
  c.set("resource", std::string(kTestbedResource));
  c.set("tenant", std::string(kTestbedTenant));
  c.set("authority", p.LoginUrl());
  c.set("token_signing_cert", p.pki_dir + "/signing-cert.pem");
  c.set("tls_cert", p.pki_dir + "/" + v.host + "-cert.pem");
  c.set("tls_key", p.pki_dir + "/" + v.host + "-key.pem");
  c.set("data_dir", v.data_dir);
  Object::Ptr admin = NewObject();
  admin->set("port", v.admin_port);
  admin->set("port_file", v.admin_port_file);
  admin->set("token", v.admin_token);
  c.set("admin", admin);
  Object::Ptr secrets = NewObject();
  secrets->set("US", p.backup_secret_us);
  secrets->set("JP", p.backup_secret_jp);
  c.set("backup_secrets", secrets);
  Object::Ptr policies = NewObject();
  policies->set(kTestbedClientId, TestbedPermissions());
  c.set("access_policies", policies);
  return WriteFileAtomically(v.config_file, Pretty(c), 0600);
}

Status WriteGeoekmConfigs(const TestbedPlan& p) {
  const std::string login_connect = "127.0.0.1:" + std::to_string(p.login_port);
  // INI with a credential section chosen by the caller.
  auto ini = [&](const std::string& title, const std::string& credential) {
    std::ostringstream s;
    s << "; geoekm vault set of the vaultsim testbed in " << p.dir << " (" << title << ").\n"
      << "; Written by `vaultsim testbed up`; check with: geoekm config check <this file>\n\n"
      << "[provider]\n"
      << "set_name = geoekm-testbed\n"
      << "key_names = " << kTestbedKeyName << "\n"
      << "wrap_algorithm = RSA-OAEP-256\n"
      << "state_path = " << p.state_file << "\n"
      << "log_level = info\n";
    for (std::size_t i = 0; i < p.vaults.size(); ++i) {
      const auto& v = p.vaults[i];
      s << "\n[vault." << v.name << "]\n"
        << "url = " << TestbedPlan::VaultUrl(v) << "\n"
        << "region = " << v.region << "\n"
        << "geography = " << v.geography << "\n"
        << "priority = " << Priority(i) << "\n"
        << "connect_to = 127.0.0.1:" << v.port << "\n"
        << "ca_bundle = " << p.ca_file << "\n";
    }
    s << "\n[auth]\n"
      << "tenant = " << kTestbedTenant << "\n"
      << "authority_host = " << p.LoginUrl() << "\n"
      << "connect_to = " << login_connect << "\n"
      << "ca_bundle = " << p.ca_file << "\n"
      << credential;
    return s.str();
  };
  const std::string secret_credential =
      std::string("client_id = ") + kTestbedClientId + "\nclient_secret_file = " + p.client_secret_file + "\n";
  const std::string certificate_credential =
      std::string("client_id = ") + kTestbedClientId + "\ncertificate_file = " + p.client_certificate_file + "\n";
  // The IMDS base URL; geoekm appends /metadata/identity/oauth2/token.
  const std::string mi_credential = "managed_identity = true\nmanaged_identity_endpoint = http://127.0.0.1:" +
                                    std::to_string(p.managed_identity_port) + "\n";
  Status s = WriteFileAtomically(p.dir + "/geoekm.ini", ini("client secret", secret_credential), 0600);
  if (s.ok()) s = WriteFileAtomically(p.dir + "/geoekm-certificate.ini", ini("certificate", certificate_credential), 0600);
  if (s.ok()) {
    s = WriteFileAtomically(p.dir + "/geoekm-managed-identity.ini", ini("managed identity (IMDS)", mi_credential), 0600);
  }
  if (!s.ok()) return s;

  Object c(Poco::JSON_PRESERVE_KEY_ORDER);
  Object::Ptr provider = NewObject();
  provider->set("set_name", std::string("geoekm-testbed"));
  provider->set("key_names", StringArray({kTestbedKeyName}));
  provider->set("wrap_algorithm", std::string("RSA-OAEP-256"));
  provider->set("state_path", p.state_file);
  provider->set("log_level", std::string("info"));
  c.set("provider", provider);
  Array::Ptr vaults = new Array;
  for (std::size_t i = 0; i < p.vaults.size(); ++i) {
    const auto& v = p.vaults[i];
    Object::Ptr o = NewObject();
    o->set("name", v.name);
    o->set("url", TestbedPlan::VaultUrl(v));
    o->set("region", v.region);
    o->set("geography", v.geography);
    o->set("priority", 10 * static_cast<int>(i + 1));
    o->set("connect_to", "127.0.0.1:" + std::to_string(v.port));
    o->set("ca_bundle", p.ca_file);
    vaults->add(o);
  }
  c.set("vaults", vaults);
  Object::Ptr auth = NewObject();
  auth->set("tenant", std::string(kTestbedTenant));
  auth->set("authority_host", p.LoginUrl());
  auth->set("connect_to", login_connect);
  auth->set("ca_bundle", p.ca_file);
  auth->set("client_id", std::string(kTestbedClientId));
  auth->set("client_secret_file", p.client_secret_file);
  c.set("auth", auth);
  return WriteFileAtomically(p.dir + "/geoekm.json", Pretty(c), 0600);
}

Status WriteTestbedJson(const TestbedPlan& p) {
  Object c(Poco::JSON_PRESERVE_KEY_ORDER);
  c.set("dir", p.dir);
  c.set("tenant", std::string(kTestbedTenant));
  c.set("resource", std::string(kTestbedResource));
  c.set("client_id", std::string(kTestbedClientId));
  c.set("client_secret_file", p.client_secret_file);
  c.set("client_certificate_file", p.client_certificate_file);
  c.set("client_certificate_cert_file", p.pki_dir + "/client-1-cert.pem");
  c.set("client_certificate_key_file", p.pki_dir + "/client-1-key.pem");
  c.set("client_pfx_file", p.client_pfx_file);
  c.set("client_pfx_password_file", p.client_pfx_password_file);
  c.set("ca_bundle", p.ca_file);
  c.set("pki_dir", p.pki_dir);
  Object::Ptr login = NewObject();
  login->set("host", std::string(kTestbedLoginHost));
  login->set("port", p.login_port);
  login->set("url", p.LoginUrl());
  login->set("authority", p.LoginUrl() + "/" + kTestbedTenant);
  login->set("token_endpoint_v2", p.LoginUrl() + "/" + kTestbedTenant + "/oauth2/v2.0/token");
  login->set("token_endpoint_v1", p.LoginUrl() + "/" + kTestbedTenant + "/oauth2/token");
  login->set("pid", p.login_pid);
  login->set("config", p.login_config_file);
  login->set("log", p.login_log_file);
  login->set("signing_cert", p.pki_dir + "/signing-cert.pem");
  login->set("signing_key", p.pki_dir + "/signing-key.pem");
  login->set("managed_identity_port", p.managed_identity_port);
  login->set("imds_endpoint",
             "http://127.0.0.1:" + std::to_string(p.managed_identity_port) + "/metadata/identity/oauth2/token");
  login->set("app_service_endpoint", "http://127.0.0.1:" + std::to_string(p.managed_identity_port) + "/msi/token");
  login->set("identity_header", p.identity_header);
  login->set("managed_identity_client_id", std::string(kTestbedManagedIdentityClientId));
  c.set("login", login);
  Array::Ptr vaults = new Array;
  for (const auto& v : p.vaults) {
    Object::Ptr o = NewObject();
    o->set("name", v.name);
    o->set("region", v.region);
    o->set("geography", v.geography);
    o->set("host", v.host);
    o->set("port", v.port);
    o->set("url", TestbedPlan::VaultUrl(v));
    o->set("admin_port", v.admin_port);
    o->set("admin_token", v.admin_token);
    o->set("pid", v.pid);
    o->set("config", v.config_file);
    o->set("log", v.log_file);
    o->set("data_dir", v.data_dir);
    vaults->add(o);
  }
  c.set("vaults", vaults);
  Object::Ptr key = NewObject();
  key->set("name", std::string(kTestbedKeyName));
  key->set("thumbprint", p.key.thumbprint);
  key->set("escrow_file", p.escrow_file);
  Array::Ptr copies = new Array;
  for (const auto& k : p.key.copies) {
    Object::Ptr o = NewObject();
    o->set("vault", k.vault);
    o->set("kid", k.kid);
    o->set("version", k.version);
    copies->add(o);
  }
  key->set("copies", copies);
  c.set("key", key);
  Object::Ptr configs = NewObject();
  configs->set("ini", p.dir + "/geoekm.ini");
  configs->set("json", p.dir + "/geoekm.json");
  configs->set("certificate_ini", p.dir + "/geoekm-certificate.ini");
  configs->set("managed_identity_ini", p.dir + "/geoekm-managed-identity.ini");
  c.set("geoekm_configs", configs);
  c.set("state_path", p.state_file);
  return WriteFileAtomically(p.dir + "/testbed.json", Pretty(c), 0600);
}

}  // namespace geoekm::vaultsim
