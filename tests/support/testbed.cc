#include "tests/support/testbed.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <cassert>
#include <cstdlib>
#include <sstream>

#include "core/error_codes.h"
#include "vaultsim/file_text.h"

#ifndef GEOEKM_VAULTSIM_BINARY
#define GEOEKM_VAULTSIM_BINARY "vaultsim"
#endif

namespace geoekm::testing {
namespace {

Status Failed(const std::string& what) { return Status(codes::kFailure, ErrorClass::kInternal, what); }

std::string ReadAll(const std::string& path) { return vaultsim::ReadFileText(path).value_or(""); }

std::string S(const Poco::JSON::Object::Ptr& o, const std::string& key) { return o->optValue<std::string>(key, ""); }
int I(const Poco::JSON::Object::Ptr& o, const std::string& key) { return o->optValue<int>(key, 0); }

}  // namespace

const TestbedVaultInfo& TestbedInfo::Vault(const std::string& name) const {
  for (const auto& v : vaults) {
    if (v.name == name) return v;
  }
  assert(false && "no such testbed vault");
  return vaults.front();
}

Result<TestbedInfo> ParseTestbedJson(const std::string& json_text) {
  TestbedInfo t;
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(json_text).extract<Poco::JSON::Object::Ptr>();
    t.dir = S(root, "dir");
    t.tenant = S(root, "tenant");
    t.resource = S(root, "resource");
    t.client_id = S(root, "client_id");
    t.client_secret_file = S(root, "client_secret_file");
    t.client_certificate_file = S(root, "client_certificate_file");
    t.client_certificate_cert_file = S(root, "client_certificate_cert_file");
    t.client_certificate_key_file = S(root, "client_certificate_key_file");
    t.client_pfx_file = S(root, "client_pfx_file");
    t.client_pfx_password_file = S(root, "client_pfx_password_file");
    t.ca_bundle = S(root, "ca_bundle");
    t.pki_dir = S(root, "pki_dir");
    t.state_path = S(root, "state_path");
    auto login = root->getObject("login");
    if (!login) return Failed("testbed.json: no login");
    t.login_host = S(login, "host");
    t.login_port = I(login, "port");
    t.login_pid = I(login, "pid");
    t.login_url = S(login, "url");
    t.authority = S(login, "authority");
    t.token_endpoint_v2 = S(login, "token_endpoint_v2");
    t.token_endpoint_v1 = S(login, "token_endpoint_v1");
    t.login_config_file = S(login, "config");
    t.login_log_file = S(login, "log");
    t.signing_cert_file = S(login, "signing_cert");
    t.signing_key_file = S(login, "signing_key");
    t.managed_identity_port = I(login, "managed_identity_port");
    t.imds_endpoint = S(login, "imds_endpoint");
    t.app_service_endpoint = S(login, "app_service_endpoint");
    t.identity_header = S(login, "identity_header");
    t.managed_identity_client_id = S(login, "managed_identity_client_id");
    auto vaults = root->getArray("vaults");
    if (!vaults || vaults->size() == 0) return Failed("testbed.json: no vaults");
    for (std::size_t i = 0; i < vaults->size(); ++i) {
      auto v = vaults->getObject(static_cast<unsigned>(i));
      TestbedVaultInfo x;
      x.name = S(v, "name");
      x.region = S(v, "region");
      x.geography = S(v, "geography");
      x.host = S(v, "host");
      x.port = I(v, "port");
      x.url = S(v, "url");
      x.admin_port = I(v, "admin_port");
      x.admin_token = S(v, "admin_token");
      x.pid = I(v, "pid");
      x.config_file = S(v, "config");
      x.log_file = S(v, "log");
      x.data_dir = S(v, "data_dir");
      t.vaults.push_back(std::move(x));
    }
    auto key = root->getObject("key");
    if (!key) return Failed("testbed.json: no key");
    t.key_name = S(key, "name");
    t.thumbprint = S(key, "thumbprint");
    t.escrow_file = S(key, "escrow_file");
    auto copies = key->getArray("copies");
    for (std::size_t i = 0; copies && i < copies->size(); ++i) {
      auto c = copies->getObject(static_cast<unsigned>(i));
      t.key_copies.push_back({S(c, "vault"), S(c, "kid"), S(c, "version")});
    }
    auto configs = root->getObject("geoekm_configs");
    if (configs) {
      t.geoekm_ini = S(configs, "ini");
      t.geoekm_json = S(configs, "json");
      t.geoekm_certificate_ini = S(configs, "certificate_ini");
      t.geoekm_managed_identity_ini = S(configs, "managed_identity_ini");
    }
  } catch (const Poco::Exception& e) {
    return Failed("testbed.json: " + e.displayText());
  }
  return t;
}

std::string Testbed::VaultsimBinary() {
  if (const char* env = std::getenv("GEOEKM_VAULTSIM")) return env;
  return GEOEKM_VAULTSIM_BINARY;
}

int Testbed::RunVaultsim(const std::vector<std::string>& args, std::string* output) {
  try {
    Poco::Pipe out;
    Poco::Process::Args a(args.begin(), args.end());
    Poco::ProcessHandle ph = Poco::Process::launch(VaultsimBinary(), a, nullptr, &out, &out);
    Poco::PipeInputStream in(out);
    std::ostringstream text;
    Poco::StreamCopier::copyStream(in, text);
    if (output) *output = text.str();
    return ph.wait();
  } catch (const Poco::Exception& e) {
    if (output) *output = e.displayText();
    return -1;
  }
}

Result<std::unique_ptr<Testbed>> Testbed::Start() {
  auto dir = std::make_unique<TempDir>("geoekm-testbed");
  std::string output;
  const int rc = RunVaultsim({"testbed", "up", "--dir", dir->path()}, &output);
  if (rc != 0) {
    std::string ignored;
    RunVaultsim({"testbed", "down", "--dir", dir->path()}, &ignored);
    return Failed("vaultsim testbed up exited " + std::to_string(rc) + ":\n" + output);
  }
  auto info = ParseTestbedJson(ReadAll(dir->File("testbed.json")));
  if (!info.ok()) {
    std::string ignored;
    RunVaultsim({"testbed", "down", "--dir", dir->path()}, &ignored);
    return info.status();
  }
  return std::unique_ptr<Testbed>(new Testbed(std::move(dir), std::move(info).value()));
}

Testbed::~Testbed() {
  if (!down_) Down();
}

VaultSimAdminClient Testbed::Admin(const std::string& vault) const {
  const TestbedVaultInfo& v = info_.Vault(vault);
  return VaultSimAdminClient(v.host, v.admin_port, info_.ca_bundle, v.admin_token);
}

int Testbed::Down() {
  down_ = true;
  std::string output;
  const int rc = RunVaultsim({"testbed", "down", "--dir", dir_->path()}, &output);
  last_down_output_ = output;
  return rc;
}

Status Testbed::KillVault(const std::string& name) {
  std::string output;
  const int rc = RunVaultsim({"testbed", "kill", "--dir", dir_->path(), "--vault", name}, &output);
  if (rc != 0) return Failed("vaultsim testbed kill " + name + " exited " + std::to_string(rc) + ": " + output);
  return Status::Ok();
}

Status Testbed::StartVault(const std::string& name) {
  std::string output;
  const int rc = RunVaultsim({"testbed", "start", "--dir", dir_->path(), "--vault", name}, &output);
  if (rc != 0) return Failed("vaultsim testbed start " + name + " exited " + std::to_string(rc) + ": " + output);
  auto info = ParseTestbedJson(ReadAll(dir_->File("testbed.json")));
  if (!info.ok()) return info.status();
  for (auto& v : info_.vaults) {
    if (v.name == name) v.pid = info->Vault(name).pid;
  }
  return Status::Ok();
}

std::string Testbed::ClientSecret() const { return ReadAll(info_.client_secret_file); }

}  // namespace geoekm::testing
