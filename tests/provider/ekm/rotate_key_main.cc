// rotate_key: the testbed's rotation tool for the engine harness until
// `geoekm rotate` exists. Imports one fresh RSA-2048 key (BYOK, the same
// material everywhere) as a new version of KEY into every vault of the
// vault set CONFIG (or only into the VAULTs named), over the real client
// and TLS, and prints
// "version=<the first vault's new version id> thumbprint=<RFC 7638>".
#include <cstdio>
#include <set>
#include <string>

#include "config/config_loader.h"
#include "keyvault/identity/vault_authenticator.h"
#include "keyvault/keys/key_vault_client.h"
#include "provider/runtime/key_vault_client_factory.h"
#include "tests/support/test_private_jwk.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: rotate_key CONFIG KEY [VAULT...]\n");
    return 2;
  }
  auto config = geoekm::LoadVaultSetConfig(argv[1]);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto auth = geoekm::VaultAuthenticator::Create(config->auth);
  if (!auth.ok()) {
    std::fprintf(stderr, "%s\n", auth.status().ToString().c_str());
    return 1;
  }
  const geoekm::PrivateRsaJwk jwk = geoekm::testing::NewPrivateJwk();
  std::string first_version, thumbprint;
  const std::set<std::string> only(argv + 3, argv + argc);
  for (const auto& vault : config->vaults) {
    if (!only.empty() && only.count(vault.name) == 0) continue;
    auto client = geoekm::MakeKeyVaultClient(vault, config->router, *auth);
    if (!client.ok()) {
      std::fprintf(stderr, "%s: %s\n", vault.name.c_str(), client.status().ToString().c_str());
      return 1;
    }
    auto imported = (*client)->ImportKey(argv[2], jwk, false, {},
                                         geoekm::Deadline::After(std::chrono::seconds(30)));
    if (!imported.ok()) {
      std::fprintf(stderr, "%s: %s\n", vault.name.c_str(), imported.status().ToString().c_str());
      return 1;
    }
    if (first_version.empty()) first_version = imported->version;
    thumbprint = imported->thumbprint;
  }
  std::printf("version=%s thumbprint=%s\n", first_version.c_str(), thumbprint.c_str());
  return 0;
}
