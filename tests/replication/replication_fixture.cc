#include "tests/replication/replication_fixture.h"

#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <fstream>
#include <sstream>

#include "config/config_loader.h"
#include "keyvault/keys/key_vault_client.h"
#include "provider/runtime/key_vault_client_factory.h"
#include "provider/cli/dispatcher.h"
#include "tests/support/test_private_jwk.h"
#include "tests/support/soon.h"

namespace geoekm::testing {
namespace {

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void ReplicationTestbed::SetUp() {
  auto tb = Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  tb_ = std::move(tb).value();
  auto config = LoadVaultSetConfig(tb_->info().geoekm_ini);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config_ = std::move(config).value();
  key_ = tb_->info().key_name;
}

void ReplicationTestbed::TearDown() { rt_.reset(); }

VaultSimAdminClient ReplicationTestbed::Admin(const std::string& vault) const {
  return tb_->Admin(vault);
}

::testing::AssertionResult ReplicationTestbed::Open() {
  rt_.reset();
  auto rt = VaultSetRuntime::Open(config_);
  if (!rt.ok()) return ::testing::AssertionFailure() << rt.status().ToString();
  rt_ = std::move(rt).value();
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult ReplicationTestbed::WrapOnce() {
  if (!rt_) {
    if (auto opened = Open(); !opened) return opened;
  }
  SecureBytes dek(32, 0x5a);
  auto w = rt_->router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
  if (!w.ok()) return ::testing::AssertionFailure() << "wrap: " << w.status().ToString();
  return ::testing::AssertionSuccess();
}

Poco::JSON::Object::Ptr ParseJsonObject(const std::string& text) {
  try {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "not a JSON object: " << e.displayText() << "\n" << text;
    return new Poco::JSON::Object;
  }
}

Result<KeyBundle> ReplicationTestbed::ImportInto(const std::string& vault, const PrivateRsaJwk& jwk,
                                                const std::string& name) {
  auto auth = VaultAuthenticator::Create(config_.auth);
  if (!auth.ok()) return auth.status();
  for (const VaultConfig& v : config_.vaults) {
    if (v.name != vault) continue;
    auto client = MakeKeyVaultClient(v, config_.router, *auth);
    if (!client.ok()) return client.status();
    return (*client)->ImportKey(name.empty() ? key_ : name, jwk, false, {}, Soon());
  }
  return Status(1, ErrorClass::kInvalidInput, "no vault " + vault);
}

std::string ReplicationTestbed::RotateEverywhere() {
  PrivateRsaJwk jwk = NewPrivateJwk();
  std::string thumbprint;
  // Secondaries first, the primary last (as a rotation must).
  for (auto it = config_.vaults.rbegin(); it != config_.vaults.rend(); ++it) {
    auto imported = ImportInto(it->name, jwk);
    EXPECT_TRUE(imported.ok()) << imported.status().ToString();
    if (!imported.ok()) return "";
    thumbprint = imported->thumbprint;
  }
  rt_.reset();  // a fresh router reads the new current version
  if (auto wrapped = WrapOnce(); !wrapped) {
    ADD_FAILURE() << wrapped.message();
    return "";
  }
  return thumbprint;
}

std::string ReplicationTestbed::VersionIn(const std::string& vault, const std::string& thumbprint) {
  auto auth = VaultAuthenticator::Create(config_.auth);
  if (!auth.ok()) return "";
  for (const VaultConfig& v : config_.vaults) {
    if (v.name != vault) continue;
    auto client = MakeKeyVaultClient(v, config_.router, *auth);
    if (!client.ok()) return "";
    auto versions = (*client)->ListKeyVersions(key_, Soon());
    if (!versions.ok()) return "";
    for (const KeyVersionItem& item : *versions) {
      auto b = (*client)->GetKey(key_, item.version, Soon());
      if (b.ok() && b->thumbprint == thumbprint) return item.version;
    }
  }
  return "";
}

::testing::AssertionResult ReplicationTestbed::SoftDeleteKey(const std::string& vault) {
  const TestbedInfo& tb = tb_->info();
  if (!Admin(vault).Grant(tb.client_id, {"delete"})) return ::testing::AssertionFailure() << "grant delete failed";
  TestHttpsClient login(tb.login_host, tb.login_port, tb.ca_bundle);
  std::string secret;
  Poco::URI::encode(tb_->ClientSecret(), "&=+%/?#", secret);
  const std::string form = "grant_type=client_credentials&client_id=" + tb.client_id + "&client_secret=" + secret +
                           "&scope=https%3A%2F%2Fvault.test%2F.default";
  TestResponse token = login.Send("POST", tb.token_endpoint_v2.substr(tb.login_url.size()), form,
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
  if (token.status != 200) return ::testing::AssertionFailure() << "token: " << token.status << " " << token.body;
  const std::string access = token.Json()->getValue<std::string>("access_token");
  const TestbedVaultInfo& v = tb.Vault(vault);
  TestHttpsClient client(v.host, v.port, tb.ca_bundle);
  TestResponse deleted = client.Send("DELETE", "/keys/" + key_ + "?api-version=7.4", "",
                                     {{"Authorization", "Bearer " + access}});
  if (deleted.status != 200) return ::testing::AssertionFailure() << "delete: " << deleted.status << " " << deleted.body;
  return ::testing::AssertionSuccess();
}

std::map<std::string, std::string> ReplicationTestbed::Snapshot() {
  // The vault's own persisted state (vaultsim writes it on every change):
  // independent of the client's permissions and of the vault being up.
  std::map<std::string, std::string> out;
  for (const TestbedVaultInfo& v : tb_->info().vaults) {
    out[v.name] = FileText(v.data_dir + "/vault-state.json");
    EXPECT_NE(out[v.name].find(key_), std::string::npos) << v.name << ": no persisted state holding the key";
  }
  return out;
}

int ReplicationTestbed::Run(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  int rc = cli::RunCli(args, o, e);
  if (out) *out = o.str();
  if (err) *err = e.str();
  return rc;
}

}  // namespace geoekm::testing
