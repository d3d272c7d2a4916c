#include "provider/runtime/vault_set_runtime.h"

#include <algorithm>

#include "core/error_codes.h"
#include "provider/runtime/log_setup.h"
#include "provider/runtime/observer_fan_out.h"
#include "state/state_file.h"
#include "keyvault/keys/key_vault_client.h"

namespace geoekm {
namespace {

Result<std::shared_ptr<KeyVaultKeys>> MakeHttpsVault(const VaultConfig& vault, const RouterTuning& tuning,
                                                     std::shared_ptr<VaultAuthenticator> auth) {
  // The router spreads load away from a throttled or unreachable vault;
  // the client must not hold callers behind its Retry-After or its
  // reconnect backoff meanwhile.
  KeyVaultClientOptions options;
  options.retry_throttled = false;
  options.retry_unreachable = false;
  auto client = KeyVaultClient::Create(vault, tuning, std::move(auth), options);
  if (!client.ok()) return client.status();
  return std::shared_ptr<KeyVaultKeys>(std::move(client).value());
}

}  // namespace

Result<std::unique_ptr<VaultSetRuntime>> VaultSetRuntime::Open(const VaultSetConfig& config, RuntimeOptions options) {
  // The log first: a failure of anything after it is logged.
  if (Status s = SetUpLogging(config.provider); !s.ok()) return s;
  std::vector<const VaultConfig*> ranked;
  for (const VaultConfig& v : config.vaults) ranked.push_back(&v);
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->priority < b->priority; });
  std::vector<std::string> by_priority;
  for (const VaultConfig* v : ranked) by_priority.push_back(v->name);
  auto event_log = std::make_shared<EventLog>(EventLogger(config.provider.set_name), config.provider.set_name,
                                               std::move(by_priority));
  auto opened = OpenLogged(config, std::move(options), event_log);
  if (!opened.ok()) event_log->StartupFailed(opened.status());
  return opened;
}

Result<std::unique_ptr<VaultSetRuntime>> VaultSetRuntime::OpenLogged(const VaultSetConfig& config,
                                                                     RuntimeOptions options,
                                                                     std::shared_ptr<EventLog> event_log) {
  std::unique_ptr<VaultSetRuntime> rt(new VaultSetRuntime());
  rt->config_ = config;
  rt->event_log_ = std::move(event_log);

  // The state store first: nothing may wrap before history can be recorded.
  if (Status s = CreateStateDirectories(config.provider.state_path); !s.ok()) {
    return s.Prefix("opening the state store: ");
  }
  StateStoreOptions store_options;
  store_options.path = config.provider.state_path;
  auto store = StateStore::Open(store_options);
  if (!store.ok()) return Status(store.status()).Prefix("opening the state store: ");
  rt->store_ = std::shared_ptr<StateStore>(std::move(store).value());

  std::vector<VaultRecord> records;
  for (const VaultConfig& v : config.vaults) {
    records.push_back(VaultRecord{v.name, v.url, v.region, v.geography, v.priority, std::nullopt, {}});
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
    if (auto client = std::dynamic_pointer_cast<KeyVaultClient>(*ops)) {
      rt->event_log_->WatchRetryBudget(v.name, [client] { return client->stats().budget_exhausted; });
    }
    rt->vaults_.push_back(RoutedVault{v.name, v.priority, std::move(ops).value(), v.host, v.port});
  }

  RouterOptions router_options = RouterOptionsFromConfig(config);
  router_options.observer =
      std::make_shared<ObserverFanOut>(std::vector<std::shared_ptr<RouterObserver>>{rt->recorder_, rt->event_log_});
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

std::shared_ptr<KeyVaultKeys> VaultSetRuntime::vault(const std::string& name) const {
  for (const RoutedVault& v : vaults_) {
    if (v.name == name) return v.ops;
  }
  return nullptr;
}

std::shared_ptr<KeyVaultKeyAdministration> VaultSetRuntime::key_administration(const std::string& name) const {
  return std::dynamic_pointer_cast<KeyVaultKeyAdministration>(vault(name));
}

std::shared_ptr<KeyVaultDeletedKeys> VaultSetRuntime::deleted_keys(const std::string& name) const {
  return std::dynamic_pointer_cast<KeyVaultDeletedKeys>(vault(name));
}

}  // namespace geoekm
