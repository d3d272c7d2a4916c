// VaultSetRuntime: everything one vault-set configuration needs at run time,
// built in the right order — the log (log_setup.h), the state store, the
// shared authenticator, one Key Vault client per vault, and the router
// reporting into the store and the event log.
// The CLI commands and (later) the SQL Crypto API library use it; tests may
// substitute the vault clients through RuntimeOptions::make_vault.
//
// Thread safety: router() and store() are thread-safe objects; the runtime
// itself is immutable after Open().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/vault_set_config.h"
#include "core/result.h"
#include "provider/runtime/event_log.h"
#include "provider/runtime/state_recorder.h"
#include "state/state_store.h"
#include "keyvault/identity/vault_authenticator.h"
#include "keyvault/keys/key_vault_deleted_keys.h"
#include "keyvault/keys/key_vault_key_administration.h"
#include "keyvault/keys/key_vault_keys.h"
#include "vault_router/vault_router.h"

namespace geoekm {

// Builds one vault's client. The router gets its KeyVaultKeys port; when the
// object also implements KeyVaultKeyAdministration (as KeyVaultClient does),
// key_administration() hands that out.
using VaultFactory = std::function<Result<std::shared_ptr<KeyVaultKeys>>(
    const VaultConfig& vault, const RouterTuning& tuning, std::shared_ptr<VaultAuthenticator> auth)>;

struct RuntimeOptions {
  // Empty = the real KeyVaultClient over HTTPS.
  VaultFactory make_vault;
  // Adjust router options (e.g. the drill shortens probe intervals).
  std::function<void(RouterOptions&)> adjust_router;
};

class VaultSetRuntime {
 public:
  static Result<std::unique_ptr<VaultSetRuntime>> Open(const VaultSetConfig& config, RuntimeOptions options = {});
  ~VaultSetRuntime();

  const VaultSetConfig& config() const { return config_; }
  VaultRouter& router() { return *router_; }
  // The store once everything reported so far is written: the recorder's
  // writer thread is flushed first, so a reader sees the events before it.
  StateStore& store() {
    recorder_->Flush();
    return *store_;
  }
  const StateRecorder& recorder() const { return *recorder_; }
  EventLog& event_log() { return *event_log_; }
  // The client of one vault (by configured name), or null.
  std::shared_ptr<KeyVaultKeys> vault(const std::string& name) const;
  // The same vault's key administration, or null (unknown vault, or a
  // factory-made client that does not administer keys).
  std::shared_ptr<KeyVaultKeyAdministration> key_administration(const std::string& name) const;
  // The same vault's read-only deleted-key look-up, or null (as above).
  std::shared_ptr<KeyVaultDeletedKeys> deleted_keys(const std::string& name) const;
  const std::vector<RoutedVault>& vaults() const { return vaults_; }

 private:
  VaultSetRuntime() = default;
  // Open() after the log is set up; its failure is logged by Open().
  static Result<std::unique_ptr<VaultSetRuntime>> OpenLogged(const VaultSetConfig& config, RuntimeOptions options,
                                                             std::shared_ptr<EventLog> event_log);

  VaultSetConfig config_;
  std::shared_ptr<StateStore> store_;
  std::shared_ptr<StateRecorder> recorder_;
  std::shared_ptr<EventLog> event_log_;
  std::shared_ptr<VaultAuthenticator> auth_;
  std::vector<RoutedVault> vaults_;
  std::unique_ptr<VaultRouter> router_;  // destroyed first (see the destructor)
};

}  // namespace geoekm
