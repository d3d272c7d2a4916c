#include "tests/replication/write_side_support.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "keyvault/identity/vault_authenticator.h"
#include "provider/runtime/key_vault_client_factory.h"

namespace geoekm::testing {

std::string WriteConfigVariant(const TestbedInfo& info, const std::string& file_name, const std::string& key_names,
                               const std::string& state_path) {
  std::ifstream in(info.geoekm_ini);
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    if (!key_names.empty() && line.rfind("key_names", 0) == 0) line = "key_names = " + key_names;
    if (!state_path.empty() && line.rfind("state_path", 0) == 0) line = "state_path = " + state_path;
    out << line << "\n";
  }
  const std::string path = info.dir + "/" + file_name;
  std::ofstream(path) << out.str();
  return path;
}

std::string WritePassphraseFile(const TestbedInfo& info, const std::string& name, const std::string& passphrase) {
  const std::string path = info.dir + "/" + name;
  std::ofstream(path) << passphrase << "\n";
  ::chmod(path.c_str(), 0600);
  return path;
}

Result<std::shared_ptr<KeyVaultClient>> ClientOf(const VaultSetConfig& config, const std::string& vault) {
  auto auth = VaultAuthenticator::Create(config.auth);
  if (!auth.ok()) return auth.status();
  for (const VaultConfig& v : config.vaults) {
    if (v.name != vault) continue;
    auto client = MakeKeyVaultClient(v, config.router, *auth);
    if (!client.ok()) return client.status();
    return std::shared_ptr<KeyVaultClient>(std::move(client).value());
  }
  return Status(1, ErrorClass::kInvalidInput, "no vault " + vault);
}

std::vector<std::string> VersionsWith(const VaultSetConfig& config, const std::string& vault, const std::string& key,
                                      const std::string& thumbprint) {
  std::vector<std::string> out;
  auto client = ClientOf(config, vault);
  if (!client.ok()) return out;
  const Deadline deadline = Deadline::After(std::chrono::seconds(30));
  auto versions = (*client)->ListKeyVersions(key, deadline);
  if (!versions.ok()) return out;
  for (const KeyVersionItem& item : *versions) {
    auto b = (*client)->GetKey(key, item.version, deadline);
    if (b.ok() && b->thumbprint == thumbprint) out.push_back(item.version);
  }
  return out;
}

}  // namespace geoekm::testing
