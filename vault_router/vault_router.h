// VaultRouter: wraps and unwraps DEKs through an ordered set of vaults that
// carry the same key, choosing whichever is healthy.
//
// Unwrap: vaults are ranked by health tier (healthy or suspect, throttled,
// probing, ejected as a last resort; quarantined never), then priority. The
// best vault is asked first; a vault-level failure (transient, throttled,
// auth, forbidden, version not found there) moves on to the next at once; a
// request-level failure (bad request, e.g. a ciphertext that is not one)
// is returned without asking another vault. If the vault has not answered
// within its hedge delay (p95 latency × factor, clamped to [floor, cap]),
// the same unwrap is also sent to the next vault (hedging, budgeted); the
// first success wins, the rest are abandoned, and a vault outrun that way
// counts as failed at once (a silent vault is ejected after a few requests,
// not after its timeouts). An attempt running past try_timeout is failed
// over from even if its vault call overruns. At most
// max_attempts_per_vault worker attempts run at one vault at once (circuit
// breaker; the caller's own first attempt pins no worker and is not
// counted), and an attempt whose vault was ejected while it waited is
// skipped; skipped vaults get a second race if nobody else
// answered. Identical unwraps in flight (same key version, algorithm and
// wrapped bytes) share one routed call.
// The key version is given by thumbprint (preferred) or by one vault's
// version id; each vault is asked for *its* version id of that thumbprint.
// A wrapped key that is not that version's modulus length is refused
// (InvalidArgument) before any vault unwraps it.
//
// Answers are checked (a failed check is that vault's failure: failover,
// health event): a wrap answer must be exactly the modulus length, an
// unwrap answer non-empty and within the algorithm's maximum
// (rsa_lengths.h), a key bundle's kid must name the vault (host, port), the
// key and the version asked for (key_id_check.h).
//
// Wrap (invariants 1–3): the key's current version (the pinned thumbprint
// when one is configured, else the newest version of the most preferred
// vault that answers, cached for current_version_ttl; a version that has
// just become current — rotated by another process — is looked for again in
// vaults listed before it became current) is used only if every
// vault that is not quarantined holds it (same thumbprint; error 5008
// otherwise) — and, while nothing is trusted yet (no recorded history, no
// pin), only if at least two vaults hold it (README "Security"); only
// through a vault whose copy was
// verified by GetKey within verification_ttl, and the wrapped bytes are
// returned only after KeyVersionRecorder::RecordWrapKeyVersion succeeded.
// A vault that cannot be reached counts as holding a version the store
// recorded it holding, verified (KeyVersionRecorder::VaultsWithVerifiedCopy;
// with history or a pin only). When the current version fails these rules
// (a rotation on its way: the new version not yet everywhere, or the vault
// that lacks it down), Wrap uses the newest version of the recorded history
// that passes them (counted in wraps_with_previous_version); WrapVersion
// with a thumbprint never falls back.
// The wrap call itself is raced and hedged like an unwrap, over the vaults
// holding that version (the DEK goes to a second vault holding the same
// key only when the first has not answered within its hedge delay); the
// answering vault is the one recorded.
// A vault whose key material differs is quarantined (error 5005, event,
// counter) and never used again by this router: a vault that changed the
// material of a version id, or whose versions share no thumbprint with the
// trusted material — the known history (KeyVersionRecorder::KnownThumbprints)
// and the pinned thumbprint (once some vault shows it: a pin nobody holds
// is a wrong pin). With neither, no vault is judged by another's listing.
//
// Health: see vault_health.h. Ejected vaults are probed in the background
// (GetKey of the first probe key + a canary wrap/unwrap of 32 random bytes)
// unless background_probing is off; RunDueProbes() probes synchronously.
//
// Every operation takes a Deadline and passes it to each vault call; one
// attempt at one vault (wrap, unwrap) gets at most tuning.try_timeout of it.
// Decisions are visible in stats(), Health() and through RouterObserver.
//
// Parts (docs/ARCHITECTURE.md §Layers): the vault set every part shares
// (vault_set.h: members, ranking, the one vault call, quarantine, counters),
// key resolution and material checks (key_resolver.h: catalog, listings,
// current version, trust, the wrap-version check), the prober
// (vault_prober.h); this class holds the races (hedged_race.h), unwrap
// coalescing, the wrap and unwrap rules and the public API.
//
// Threads: the first attempt of a race runs on the caller's own thread (no
// hand-off when the first vault answers in time); a BoundedExecutor
// (worker_threads, max_queued_tasks) runs hedged and failover attempts,
// races handed over by the hedge clock, and probes; one AlarmClock thread
// hands a race to a worker when its first attempt is due a hedge or its
// try_timeout (hedged_race.h); plus one prober thread. Nothing else is
// created.
//
// Thread safety: all public methods may be called concurrently by any number
// of threads. Destruction waits for vault calls still running on workers
// (abandoned attempts), which are bounded by their deadlines; no public
// method may be running when the destructor starts.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/alarm_clock.h"
#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/keys/key_types.h"
#include "vault_router/bounded_executor.h"
#include "vault_router/hedge_budget.h"
#include "vault_router/hedged_race.h"
#include "vault_router/key_resolver.h"
#include "vault_router/router_options.h"
#include "vault_router/router_stats.h"
#include "vault_router/unwrap_coalescer.h"
#include "vault_router/vault_health.h"
#include "vault_router/vault_prober.h"
#include "vault_router/vault_set.h"

namespace geoekm {

// RoutedVault, RouterOptions, RouterOptionsFromConfig: router_options.h.
// KeyVersionLocation, LocatedKeyVersion: key_resolver.h.

struct UnwrapRequest {
  std::string key_name;
  std::string thumbprint;  // RFC 7638; preferred
  std::string version;     // one vault's version id, when the thumbprint is not known
  WrapAlgorithm algorithm = WrapAlgorithm::kRsaOaep256;
  Bytes wrapped;
};

struct WrappedKey {
  Bytes wrapped;
  WrapAlgorithm algorithm = WrapAlgorithm::kRsaOaep256;
  std::string key_name;
  std::string thumbprint;
  std::string vault;    // the vault that wrapped
  std::string kid;      // that vault's kid
  std::string version;  // that vault's version id
};

class VaultRouter {
 public:
  // `vaults` must not be empty; names must be unique.
  VaultRouter(std::vector<RoutedVault> vaults, RouterOptions options);
  ~VaultRouter();
  VaultRouter(const VaultRouter&) = delete;
  VaultRouter& operator=(const VaultRouter&) = delete;

  Result<SecureBytes> Unwrap(const UnwrapRequest& request, Deadline deadline);
  Result<WrappedKey> Wrap(const std::string& key_name, WrapAlgorithm algorithm, const SecureBytes& plaintext,
                          Deadline deadline);
  // Wrap with a named version (thumbprint; "" = the current one, as Wrap):
  // an older version too, under the same rules (held by every vault that is
  // not quarantined, verified copies only, recorded before return). The SQL
  // Crypto API needs it: the engine encrypts with the thumbprint it stored.
  Result<WrappedKey> WrapVersion(const std::string& key_name, const std::string& thumbprint, WrapAlgorithm algorithm,
                                 const SecureBytes& plaintext, Deadline deadline);

  // The version of `key_name` that wraps use (see Wrap) with its thumbprint.
  Result<KeyBundle> CurrentVersion(const std::string& key_name, Deadline deadline);
  // Which vault holds `thumbprint` under which version id.
  Result<LocatedKeyVersion> Locate(const std::string& key_name, const std::string& thumbprint, Deadline deadline);

  // Probes every vault whose probe is due, on the calling thread.
  void RunDueProbes();

  std::vector<VaultHealthSnapshot> Health() const;
  // kEjected for a name that is not in the set.
  VaultHealthState HealthOf(const std::string& vault) const;
  RouterStats stats() const;

 private:
  // One request raced over the target's candidates (vault indices, ranked)
  // with hedging; vaults another vault outran are counted against their
  // health. The target lives as long as the race's last attempt.
  struct RaceTarget;
  template <typename T>
  RaceOutcome<T> Race(std::shared_ptr<const RaceTarget> target, typename HedgedRace<T>::Attempt attempt,
                      Deadline deadline);
  // "vault: failure; ..." for a race's vault-level failures.
  void AppendFailures(const RaceTarget& target, const std::vector<std::pair<std::size_t, Status>>& failures,
                      std::string* out) const;
  struct GetKeyInput;
  // The resolver's KeyResolver::GetKeyRace: GetKey of `name` (`version`,
  // "" = current) raced over `candidates` like an unwrap.
  Result<std::pair<std::size_t, KeyBundle>> RaceGetKey(const std::string& name, const std::string& version,
                                                       std::vector<std::size_t> candidates, Deadline deadline,
                                                       std::string* tried);
  struct UnwrapInput;
  Result<SecureBytes> UnwrapRouted(const UnwrapRequest& request, Deadline deadline);
  RaceOutcome<SecureBytes> RaceUnwrap(std::shared_ptr<const UnwrapInput> input, Deadline deadline);
  Result<SecureBytes> UnwrapAt(const UnwrapInput& input, const RaceAttempt& attempt, Deadline caller);
  struct WrapInput;
  // The wrap at one candidate: its copy re-verified when the verification
  // TTL has passed, then wrapKey.
  Result<Bytes> WrapAt(const WrapInput& input, const RaceAttempt& attempt, Deadline caller);

  VaultSet vaults_;  // holds the options
  const std::size_t max_attempts_per_vault_;
  KeyResolver resolver_;
  UnwrapCoalescer coalescer_;
  HedgeBudget hedge_budget_;
  // Idle unless a caller's first attempt outlives its hedge delay.
  AlarmClock hedge_clock_{"geoekm-hedges"};
  // Last members, destroyed first (and stopped first by the destructor: the
  // prober thread, then the workers), so no worker or prober outlives what
  // it uses.
  BoundedExecutor executor_;
  VaultProber prober_;
};

}  // namespace geoekm
