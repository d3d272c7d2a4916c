// RoutedVault and RouterOptions: what a VaultRouter is built from — the
// vaults it routes over (with the port each is reached through) and how it
// routes (tuning, probes, observer, recorder, clock, threads, caches, pins).
// Every part of the router (vault_set.h, key_resolver.h, vault_prober.h,
// vault_router.h) reads the one RouterOptions the router owns.
//
// Thread safety: plain values; RouterOptionsFromConfig is a pure function.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/vault_set_config.h"
#include "core/deadline.h"
#include "keyvault/keys/key_types.h"
#include "keyvault/keys/key_vault_keys.h"
#include "vault_router/key_version_recorder.h"
#include "vault_router/router_observer.h"

namespace geoekm {

struct RoutedVault {
  std::string name;   // as configured (events, errors)
  int priority = 0;   // lower is preferred
  std::shared_ptr<KeyVaultKeys> ops;
  // The vault's URL host and port: the kid of every key it answers must
  // name them. Empty host = not checked (test fakes).
  std::string host;
  int port = 443;
};

struct RouterOptions {
  RouterTuning tuning;
  // Probes read the first of these and wrap/unwrap a canary with it.
  std::vector<std::string> probe_key_names;
  WrapAlgorithm canary_algorithm = WrapAlgorithm::kRsaOaep256;
  std::shared_ptr<RouterObserver> observer;    // may be null
  std::shared_ptr<KeyVersionRecorder> recorder;  // required for Wrap (invariant 3)
  // Time for health, probes, caches and verification TTLs; the steady
  // clock when empty. Tests inject a fake. Latencies, hedge delays and
  // deadlines always use the real steady clock.
  std::function<Clock::time_point()> clock;
  std::size_t worker_threads = 16;
  std::size_t max_queued_tasks = 4096;
  bool background_probing = true;
  std::chrono::milliseconds current_version_ttl{30000};
  // After a vault's version list did not contain a thumbprint, it is not
  // listed again for that reason within this interval.
  std::chrono::milliseconds relist_interval{5000};
  // Operator-pinned material: key name -> RFC 7638 thumbprint (config
  // provider.pinned_thumbprints).
  std::map<std::string, std::string> pinned_thumbprints;
  std::uint64_t min_request_volume = 10;  // for error-rate ejection
  // Circuit breaker (Envoy "max requests"): at most this many unwrap
  // attempts run on workers at one vault at once; 0 = half the worker
  // threads. Beyond it a worker attempt fails over at once (unless no other
  // vault is left), so a silent vault cannot pin every worker while the
  // others could answer. Attempts on the caller's own thread are not
  // counted: they pin only their caller.
  std::size_t max_attempts_per_vault = 0;
};

// Tuning, probe key names and canary algorithm from a loaded configuration.
RouterOptions RouterOptionsFromConfig(const VaultSetConfig& config);

}  // namespace geoekm
