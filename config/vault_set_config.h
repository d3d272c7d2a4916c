// VaultSetConfig: the validated, in-memory form of one vault-set
// configuration file (INI or JSON; see config/config_loader.h and the
// README's configuration reference).
//
// A VaultSetConfig that exists has passed validation: every consumer may rely
// on its invariants (2..N vaults unless single_vault is set, unique names and
// priorities, https URLs, valid key names, exactly one credential kind).
// Secrets are not stored here, only where to read them from — except a
// credential given inline, which is held in a SecureString.
//
// Thread safety: an immutable value after loading.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/secure_bytes.h"
#include "keyvault/identity/credential_options.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

struct VaultConfig {
  std::string name;       // unique in the set, used in logs, events, CLI
  std::string url;        // https://host[:port]
  std::string host;       // parsed from url
  int port = 443;         // parsed from url
  std::string region;     // e.g. eastus
  std::string geography;  // e.g. US, EU, JP
  int priority = 0;       // lower is preferred; unique in the set
  // curl --connect-to style override: connect here, but keep SNI/Host/cert
  // checks against `host`. Empty = resolve `host`.
  std::string connect_to_host;
  int connect_to_port = 0;
  std::string ca_bundle;  // PEM file; empty = system store
  std::chrono::milliseconds connect_timeout{0};  // 0 = router default
  std::chrono::milliseconds try_timeout{0};      // 0 = router default
};

struct RouterTuning {
  // Hedging (gRFC A6 vocabulary): the delay before the same unwrap is sent to
  // the next vault. Adaptive from the vault's observed latency (p95 x factor),
  // clamped to [floor, cap].
  std::chrono::milliseconds hedge_delay_floor{50};
  std::chrono::milliseconds hedge_delay_cap{1000};
  double hedge_latency_factor = 2.0;
  // What one vault call is expected to take before any was measured: seeds
  // the hedge delay of a fresh router (see VaultHealth::HedgeDelay).
  std::chrono::milliseconds expected_rtt{50};
  bool hedging_enabled = true;
  // Outlier detection (Envoy vocabulary).
  int consecutive_failures_to_eject = 3;
  double error_rate_to_eject = 0.5;
  std::chrono::seconds error_rate_window{30};
  std::chrono::milliseconds probe_interval{2000};
  std::chrono::milliseconds probe_interval_max{60000};
  std::chrono::seconds failback_hysteresis{10};
  // Retries (per vault) and the retry budget.
  int max_retries = 3;
  std::chrono::milliseconds retry_base_delay{200};
  std::chrono::milliseconds retry_max_delay{10000};
  double retry_budget_ratio = 0.2;  // retries allowed as a fraction of requests
  int retry_budget_min_per_second = 10;
  // Deadlines and timeouts.
  std::chrono::milliseconds operation_deadline{30000};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds try_timeout{10000};
  // Wrap only through vaults whose key copy was verified within this TTL.
  std::chrono::seconds verification_ttl{300};
};

enum class LogLevel { kError, kWarning, kInfo, kDebug };

struct ProviderConfig {
  std::string set_name;                 // the identity a SQL credential names
  std::vector<std::string> key_names;   // 1..127 of [A-Za-z0-9-]
  WrapAlgorithm wrap_algorithm = WrapAlgorithm::kRsaOaep256;  // or kRsaOaep (RSA1_5 is refused)
  std::string state_path;               // SQLite file
  LogLevel log_level = LogLevel::kInfo;
  std::string log_file;                 // empty = stderr
  bool single_vault = false;            // allow exactly one vault (no failover)
  // Operator-pinned key material (like ssh's known_hosts): key name (as in
  // key_names) -> RFC 7638 thumbprint (43 characters of base64url). Wraps
  // with that key use only the pinned material.
  std::map<std::string, std::string> pinned_thumbprints;
  // RSA size of the key versions `geoekm rotate` generates: 2048, 3072 or 4096.
  int key_size = 2048;
};

struct VaultSetConfig {
  std::string source_file;
  ProviderConfig provider;
  std::vector<VaultConfig> vaults;  // sorted by priority, lowest first
  CredentialOptions auth;  // the [auth] section
  RouterTuning router;
  // Accepted but noteworthy findings (e.g. a key name longer than the
  // Microsoft connector's 26 characters), one operator-facing line each.
  std::vector<std::string> warnings;
};

}  // namespace geoekm
