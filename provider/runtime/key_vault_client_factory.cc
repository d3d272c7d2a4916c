#include "provider/runtime/key_vault_client_factory.h"

#include <utility>

namespace geoekm {

KeyVaultEndpoint KeyVaultEndpointFor(const VaultConfig& vault, const RouterTuning& tuning) {
  KeyVaultEndpoint endpoint;
  endpoint.name = vault.name;
  HttpsOrigin& origin = endpoint.origin;
  origin.host = vault.host;
  origin.port = vault.port;
  origin.connect_to_host = vault.connect_to_host;
  origin.connect_to_port = vault.connect_to_port;
  origin.ca_bundle = vault.ca_bundle;
  origin.connect_timeout = vault.connect_timeout.count() > 0 ? vault.connect_timeout : tuning.connect_timeout;
  origin.try_timeout = vault.try_timeout.count() > 0 ? vault.try_timeout : tuning.try_timeout;
  return endpoint;
}

KeyVaultClientOptions WithRetriesFrom(const RouterTuning& tuning, KeyVaultClientOptions options) {
  options.max_retries = tuning.max_retries;
  options.retry_base_delay = tuning.retry_base_delay;
  options.retry_max_delay = tuning.retry_max_delay;
  options.retry_budget_ratio = tuning.retry_budget_ratio;
  options.retry_budget_min_per_second = tuning.retry_budget_min_per_second;
  return options;
}

Result<std::unique_ptr<KeyVaultClient>> MakeKeyVaultClient(const VaultConfig& vault, const RouterTuning& tuning,
                                                           std::shared_ptr<VaultAuthenticator> auth,
                                                           KeyVaultClientOptions options) {
  return KeyVaultClient::Create(KeyVaultEndpointFor(vault, tuning), std::move(auth),
                                WithRetriesFrom(tuning, std::move(options)));
}

}  // namespace geoekm
