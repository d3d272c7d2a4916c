// KeyVaultClient: the keys data plane of ONE vault over HTTPS
// (docs/ARCHITECTURE.md §Key paths), implementing the router's port
// (KeyVaultKeys), the key administration replication uses
// (KeyVaultKeyAdministration) and the read-only deleted-key look-up
// (KeyVaultDeletedKeys).
//
// - Transport: a pooled HttpsTransport to the vault's origin (verified TLS,
//   connect_to, proxy, per-try timeout, the caller's deadline).
// - Auth: challenge-based; the first request to the vault goes without a
//   token and without its body (a wrap's DEK never travels unauthenticated),
//   a 401's WWW-Authenticate goes to the shared VaultAuthenticator (which
//   checks the challenge's domain and tenant) and the request is sent with
//   its body and the token. A 401 with a cached token refreshes it once.
// - Errors: every failure is a Status with the connector's code, the HTTP
//   status, the vault's error code, x-ms-request-id, the vault name and the
//   class the router acts on (keyvault/keys/vault_error.h).
// - Retries: transient and throttled failures, exponential backoff with
//   full jitter honouring Retry-After, within the deadline and a retry
//   budget (keyvault/keys/retry_policy.h). Operations that are not
//   idempotent (create, rotate, import, restore, update) are retried only
//   after 429 and 409, which the service did not process (a restore right
//   after a purge is answered 409 and accepted seconds later).
// - api-version 7.4; base64url without padding out, padding accepted in;
//   every key read carries its RFC 7638 thumbprint. No delete, no purge.
// - DEKs travel in SecureBytes; response bodies that held plaintext are
//   wiped before they are freed.
//
// Thread safety: all operations may be called concurrently.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "config/vault_set_config.h"
#include "keyvault/identity/vault_authenticator.h"
#include "keyvault/keys/retry_policy.h"
#include "keyvault/http/https_transport.h"
#include "keyvault/keys/key_vault_deleted_keys.h"
#include "keyvault/keys/key_vault_key_administration.h"
#include "keyvault/keys/key_vault_keys.h"

namespace geoekm {

struct KeyVaultClientOptions {
  // The router turns this off so that a throttled vault sheds load to the
  // others instead of queueing callers behind its Retry-After.
  bool retry_throttled = true;
  // The router turns this off too: a vault that cannot be reached (connect
  // refused or failed, host not resolved) is another vault's turn at once,
  // not after this client's backoff (which would cost each caller about a
  // second until the vault is ejected, or a hedge delay with hedging on).
  bool retry_unreachable = true;
  std::string api_version = "7.4";
  int page_size = 25;  // maxresults of list calls (the service allows 1-25)
};

struct KeyVaultClientStats {
  std::uint64_t requests = 0;    // HTTP requests sent (incl. retries and auth round trips)
  std::uint64_t retries = 0;
  std::uint64_t challenges = 0;  // 401s answered with a token
  std::uint64_t budget_exhausted = 0;
};

class KeyVaultClient final : public KeyVaultKeys, public KeyVaultKeyAdministration, public KeyVaultDeletedKeys {
 public:
  static Result<std::unique_ptr<KeyVaultClient>> Create(const VaultConfig& vault, const RouterTuning& tuning,
                                                        std::shared_ptr<VaultAuthenticator> auth,
                                                        KeyVaultClientOptions options = {});
  // With a given transport (tests, or a shared pool).
  KeyVaultClient(const VaultConfig& vault, const RouterTuning& tuning, std::shared_ptr<VaultAuthenticator> auth,
                 std::shared_ptr<HttpsTransport> transport, KeyVaultClientOptions options);

  // Overrides every interface's vault_name().
  const std::string& vault_name() const override { return vault_.name; }

  // --- KeyVaultKeys

  Result<KeyBundle> GetKey(const std::string& name, const std::string& version, Deadline deadline) override;
  Result<std::vector<KeyVersionItem>> ListKeyVersions(const std::string& name, Deadline deadline) override;
  Result<Bytes> WrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                        const SecureBytes& plaintext, Deadline deadline) override;
  Result<SecureBytes> UnwrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                const Bytes& wrapped, Deadline deadline) override;

  // --- KeyVaultKeyAdministration
  Result<std::string> BackupKey(const std::string& name, Deadline deadline) override;
  Result<KeyBundle> RestoreKey(const std::string& backup_blob, Deadline deadline) override;
  Result<KeyBundle> ImportKey(const std::string& name, const PrivateRsaJwk& jwk, bool hsm,
                              const KeyAttributes& attributes, Deadline deadline) override;
  Result<KeyBundle> CreateKey(const std::string& name, const KeyCreateOptions& options, Deadline deadline) override;
  Result<KeyBundle> RotateKey(const std::string& name, Deadline deadline) override;
  Result<KeyBundle> UpdateKey(const std::string& name, const std::string& version, const KeyUpdateOptions& options,
                              Deadline deadline) override;

  // --- KeyVaultDeletedKeys
  Result<std::optional<DeletedKeyBundle>> GetDeletedKey(const std::string& name, Deadline deadline) override;

  KeyVaultClientStats stats() const;
  HttpsTransportStats transport_stats() const { return transport_->stats(); }

 private:
  struct Call {
    const char* operation;  // for messages: "unwrapkey", "get key", ...
    std::string method;
    std::string path;       // without api-version
    std::string body;
    bool idempotent = true;
    int parser_code = 0;    // connector code when the 2xx body is unusable
  };

  // Sends with auth, retries and error mapping; returns only 2xx responses.
  Result<HttpResponse> Execute(Call call, Deadline deadline);
  Result<KeyBundle> BundleCall(Call call, Deadline deadline);
  Status CheckName(const std::string& name) const;
  Status CheckVersion(const std::string& version) const;

  const VaultConfig vault_;
  const RouterTuning tuning_;
  const std::shared_ptr<VaultAuthenticator> auth_;
  const std::shared_ptr<HttpsTransport> transport_;
  const KeyVaultClientOptions options_;
  BackoffPolicy backoff_;
  RetryBudget budget_;
  std::atomic<std::uint64_t> requests_{0}, retries_{0}, challenges_{0}, budget_exhausted_{0};
};

}  // namespace geoekm
