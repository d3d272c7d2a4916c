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
// max_attempts_per_vault attempts run at one vault at once (circuit
// breaker), and an attempt whose vault was ejected while it waited for a
// worker is skipped; skipped vaults get a second race if nobody else
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
// Threads: a BoundedExecutor (worker_threads, max_queued_tasks) runs hedged
// attempts and probes, plus one prober thread; nothing else is created.
//
// Thread safety: all public methods may be called concurrently by any number
// of threads. Destruction waits for vault calls still running on workers
// (abandoned attempts), which are bounded by their deadlines; no public
// method may be running when the destructor starts.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/vault_set_config.h"
#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"
#include "vault_router/bounded_executor.h"
#include "vault_router/hedge_budget.h"
#include "vault_router/hedged_race.h"
#include "vault_router/key_catalog.h"
#include "keyvault/keys/key_types.h"
#include "keyvault/keys/key_vault_keys.h"
#include "vault_router/key_version_recorder.h"
#include "vault_router/router_observer.h"
#include "vault_router/router_stats.h"
#include "vault_router/unwrap_coalescer.h"
#include "vault_router/vault_health.h"

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
  // attempts run at one vault at once; 0 = half the worker threads. Beyond
  // it an attempt fails over at once (unless no other vault is left), so a
  // silent vault cannot pin every worker while the others could answer.
  std::size_t max_attempts_per_vault = 0;
};

// Tuning, probe key names and canary algorithm from a loaded configuration.
RouterOptions RouterOptionsFromConfig(const VaultSetConfig& config);

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

struct KeyVersionLocation {
  std::string vault;
  std::string kid;
  std::string version;
};

struct LocatedKeyVersion {
  std::string key_name;
  std::string thumbprint;
  std::vector<KeyVersionLocation> held_by;
  std::vector<std::string> missing_in;      // vaults that answered without it
  std::vector<std::string> unknown_in;      // vaults that could not be asked
  std::vector<std::string> quarantined;     // vaults holding other material
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
  struct Member {
    std::string name;
    int priority = 0;
    std::shared_ptr<KeyVaultKeys> ops;
    std::string host;
    int port = 443;
    std::unique_ptr<VaultHealth> health;
    std::unique_ptr<std::atomic<std::size_t>> attempts_in_flight;
  };
  struct Counters;
  struct CurrentEntry {
    KeyBundle bundle;
    Clock::time_point fetched_at;
    std::size_t vault = 0;  // where it was read
    // When this thumbprint became the current version here (kept while a
    // refresh finds the same one): a vault listed before then may not have
    // had the copy yet, so it is listed again (LocateIn's `stale_before`).
    Clock::time_point current_since;
  };

  Clock::time_point Now() const;
  // The caller's deadline, cut to try_timeout for one vault attempt.
  Deadline AttemptDeadline(Deadline caller) const;
  // Ranked vault indices; quarantined vaults never appear.
  std::vector<std::size_t> Ranked() const;
  bool Quarantined(std::size_t v) const;

  // Every vault call goes through here: latency, health, counters, events.
  template <typename T, typename Fn>
  Result<T> Call(std::size_t v, VaultCall kind, const std::string& key_name, const std::string& thumbprint, Fn&& fn,
                 const RaceAttempt* attempt = nullptr);
  void Publish(const std::optional<VaultHealthEvent>& event);
  // A refused argument (error 6), reported to the observer.
  Status InvalidArgument(std::string message) const;
  void QuarantineVault(std::size_t v, const std::string& key_name, const std::string& expected_thumbprint,
                       const std::string& observed_thumbprint, const std::string& reason);
  // The one error for "vault v is quarantined" (error 5005, integrity).
  Status QuarantinedStatus(std::size_t v) const;
  // The one builder of what the router learnt about v's copy of a version.
  void ReportCopy(std::size_t v, const std::string& key_name, const std::string& thumbprint, KeyCopyFinding finding,
                  std::string detail, const KeyBundle* bundle = nullptr,
                  const std::string& observed_thumbprint = "") const;

  // OK when the bundle's kid names vault v (its host and port), key `name`
  // and, when one was asked for, `version`; else the answer is unusable.
  Status CheckKid(std::size_t v, const std::string& name, const std::string& version, const KeyBundle& bundle) const;
  // GetKey at vault v with the kid checked (the vault call's outcome and
  // health include the check).
  Result<KeyBundle> GetCheckedKey(std::size_t v, const std::string& name, const std::string& version,
                                  Deadline deadline);
  // Key resolution (key_catalog.h holds what was learnt).
  Result<KeyBundle> FetchKey(std::size_t v, const std::string& name, const std::string& version, Deadline deadline);
  Status LoadListing(std::size_t v, const std::string& name, Deadline deadline);
  // What decides which material is the key: the recorded history and the
  // pinned thumbprint (empty `thumbprints` = nothing yet).
  struct Trust {
    std::set<std::string> thumbprints;
    std::string pin;       // "" = none
    bool history = false;
    std::string source;    // for messages
  };
  std::optional<std::string> PinFor(const std::string& name) const;
  Trust TrustFor(const std::string& name) const;
  // Quarantines vault v when its versions of `name` share no thumbprint
  // with the trusted material.
  void CheckMaterial(std::size_t v, const std::string& name);
  void JudgeMaterial(std::size_t v, const std::string& name, const Trust& trust);
  // The short thumbprint of v's newest known version of `name`, for messages.
  std::string CurrentThumbprintIn(std::size_t v, const std::string& name) const;
  // `stale_before`: a listing older than this is read again even within
  // relist_interval (see CurrentEntry::current_since).
  Result<KeyBundle> LocateIn(std::size_t v, const std::string& name, const std::string& thumbprint,
                             Deadline deadline, std::optional<Clock::time_point> stale_before = std::nullopt);
  // current_since of `thumbprint` when it is the cached current version of `name`.
  std::optional<Clock::time_point> CurrentSince(const std::string& name, const std::string& thumbprint) const;
  // The pinned version as the first ranked vault holding it has it.
  Result<KeyBundle> PinnedVersion(const std::string& key_name, const std::string& pin, Deadline deadline);
  // OK when `thumbprint` may be wrapped with: held by every vault not
  // quarantined, and trusted (see Wrap); else error 5008 naming each vault.
  // `current`: the key's current version (else one the caller named by
  // thumbprint), for the message.
  Status CheckWrapVersion(const std::string& key_name, const std::string& thumbprint, bool current,
                          Deadline deadline);
  Result<std::string> ThumbprintOfVersion(const std::string& name, const std::string& version, Deadline deadline);
  // When the current version cannot be wrapped with yet (a rotation on its
  // way: not in every vault, or in a vault that cannot be checked now), the
  // newest version of the recorded history that can; none with a pin or
  // without history.
  std::optional<std::string> NewestWrappableHistory(const std::string& key_name, const std::string& refused,
                                                    Deadline deadline);
  struct GetKeyInput;
  // GetKey of `name` (`version`, "" = current) raced over `candidates` like
  // an unwrap: the first vault that answers, with its bundle. Vault-level
  // failures are appended to `tried`.
  Result<std::pair<std::size_t, KeyBundle>> RaceGetKey(const std::string& name, const std::string& version,
                                                       std::vector<std::size_t> candidates, Deadline deadline,
                                                       std::string* tried);

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
  struct UnwrapInput;
  Result<SecureBytes> UnwrapRouted(const UnwrapRequest& request, Deadline deadline);
  RaceOutcome<SecureBytes> RaceUnwrap(std::shared_ptr<const UnwrapInput> input, Deadline deadline);
  Result<SecureBytes> UnwrapAt(const UnwrapInput& input, const RaceAttempt& attempt, Deadline caller);
  struct WrapInput;
  // The wrap at one candidate: its copy re-verified when the verification
  // TTL has passed, then wrapKey.
  Result<Bytes> WrapAt(const WrapInput& input, const RaceAttempt& attempt, Deadline caller);
  Status Probe(std::size_t v);
  void ProberLoop();

  std::vector<Member> members_;
  const RouterOptions options_;
  const std::size_t max_attempts_per_vault_;
  std::unique_ptr<Counters> counters_;
  KeyCatalog catalog_;
  UnwrapCoalescer coalescer_;
  HedgeBudget hedge_budget_;
  mutable std::mutex current_mu_;
  std::map<std::string, CurrentEntry> current_;

  std::mutex prober_mu_;
  std::condition_variable prober_cv_;
  bool stopping_ = false;
  // Last members: destroyed first, so no worker or prober outlives the rest.
  BoundedExecutor executor_;
  std::thread prober_;
};

}  // namespace geoekm
