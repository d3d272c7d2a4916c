#include "provider/runtime/vault_set_runtime.h"

#include <filesystem>

#include "core/error_codes.h"
#include "vault_router/client/key_vault_client.h"

namespace geoekm {
namespace {

Result<std::shared_ptr<KeyVaultOperations>> MakeHttpsVault(const VaultConfig& vault, const RouterTuning& tuning,
                                                           std::shared_ptr<VaultAuthenticator> auth) {
  // The router spreads load away from a throttled or unreachable vault;
  // the client must not hold callers behind its Retry-After or its
  // reconnect backoff meanwhile.
  KeyVaultClientOptions options;
  options.retry_throttled = false;
  options.retry_unreachable = false;
  auto client = KeyVaultClient::Create(vault, tuning, std::move(auth), options);
  if (!client.ok()) return client.status();
  return std::shared_ptr<KeyVaultOperations>(std::move(client).value());
}

}  // namespace

Result<std::unique_ptr<VaultSetRuntime>> VaultSetRuntime::Open(const VaultSetConfig& config, RuntimeOptions options) {
  std::unique_ptr<VaultSetRuntime> rt(new VaultSetRuntime());
  rt->config_ = config;

  // The state store first: nothing may wrap before history can be recorded.
  std::error_code ec;
  auto dir = std::filesystem::path(config.provider.state_path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  StateStoreOptions store_options;
  store_options.path = config.provider.state_path;
  auto store = StateStore::Open(store_options);
  if (!store.ok()) return Status(store.status()).Prefix("opening the state store: ");
  rt->store_ = std::shared_ptr<StateStore>(std::move(store).value());

  std::vector<VaultRecord> records;
  for (const VaultConfig& v : config.vaults) {
    records.push_back(VaultRecord{v.name, v.url, v.region, v.geography, v.priority, RecordedHealth::kUnknown, {}});
  }
  if (Status s = rt->store_->UpsertVaults(records); !s.ok()) return s.Prefix("registering vaults: ");
  rt->recorder_ = std::make_shared<StateRecorder>(rt->store_, config.provider.key_names);

  auto auth = VaultAuthenticator::Create(config.auth);
  if (!auth.ok()) return Status(auth.status()).Prefix("setting up authentication: ");
  rt->auth_ = std::move(auth).value();

  VaultFactory make = options.make_vault ? options.make_vault : VaultFactory(&MakeHttpsVault);
  for (const VaultConfig& v : config.vaults) {
    auto ops = make(v, config.router, rt->auth_);
    if (!ops.ok()) return Status(ops.status()).Prefix("vault " + v.name + ": ");
    rt->vaults_.push_back(RoutedVault{v.name, v.priority, std::move(ops).value(), v.host, v.port});
  }

  RouterOptions router_options = RouterOptionsFromConfig(config);
  router_options.observer = rt->recorder_;
  router_options.recorder = rt->recorder_;
  if (options.adjust_router) options.adjust_router(router_options);
  rt->router_ = std::make_unique<VaultRouter>(rt->vaults_, std::move(router_options));
  return rt;
}

VaultSetRuntime::~VaultSetRuntime() {
  // The router's workers and prober report into the recorder and store:
  // stop them before those go.
  router_.reset();
}

std::shared_ptr<KeyVaultOperations> VaultSetRuntime::vault(const std::string& name) const {
  for (const RoutedVault& v : vaults_) {
    if (v.name == name) return v.ops;
  }
  return nullptr;
}

}  // namespace geoekm
