// VaultSet: the vaults one VaultRouter routes over and what every part of
// the router (the races in vault_router.h, key_resolver.h, vault_prober.h)
// does with them in the same way: each vault's name, priority, port
// (KeyVaultKeys), URL host and port, health and attempts in flight; the
// router's options and decision counters; the ranking (health tier, then
// priority; quarantined never); and the one way to call a vault (Call:
// latency, health, counters, a VaultCallEvent), to publish a health change,
// to quarantine a vault and report what was learnt about its copy of a key.
//
// Vaults are addressed by index (the order given); the set never changes
// after construction.
//
// Thread safety: all methods may be called concurrently (health, counters
// and attempts in flight are internally synchronised; the rest is
// immutable). The observer is called without any lock held.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "core/status.h"
#include "keyvault/keys/key_types.h"
#include "keyvault/keys/key_vault_keys.h"
#include "keyvault/keys/vault_call.h"
#include "vault_router/hedged_race.h"
#include "vault_router/router_observer.h"
#include "vault_router/router_options.h"
#include "vault_router/router_stats.h"
#include "vault_router/vault_health.h"

namespace geoekm {

class VaultSet {
 public:
  struct Member {
    std::string name;
    int priority = 0;
    std::shared_ptr<KeyVaultKeys> ops;
    std::string host;
    int port = 443;
    std::unique_ptr<VaultHealth> health;
    std::unique_ptr<std::atomic<std::size_t>> attempts_in_flight;
  };

  // `vaults` must not be empty; names must be unique.
  VaultSet(std::vector<RoutedVault> vaults, RouterOptions options);
  VaultSet(const VaultSet&) = delete;
  VaultSet& operator=(const VaultSet&) = delete;

  std::size_t size() const { return members_.size(); }
  Member& operator[](std::size_t v) { return members_[v]; }
  const Member& operator[](std::size_t v) const { return members_[v]; }
  const std::string& name(std::size_t v) const { return members_[v].name; }
  const RouterOptions& options() const { return options_; }

  // options().clock, or the steady clock.
  Clock::time_point Now() const;
  // The caller's deadline, cut to try_timeout for one vault attempt.
  Deadline AttemptDeadline(Deadline caller) const;
  // Ranked vault indices; quarantined vaults never appear.
  std::vector<std::size_t> Ranked() const;
  bool Quarantined(std::size_t v) const;

  // Every vault call goes through here: latency, health, counters, events.
  // `deadline`: the one the call runs under; a failure after its cancel
  // signal fired is not held against the vault. `attempt`: the race attempt
  // the call belongs to (hedged, abandoned).
  template <typename T, typename Fn>
  Result<T> Call(std::size_t v, VaultCall kind, const std::string& key_name, const std::string& thumbprint,
                 const Deadline& deadline, Fn&& fn, const RaceAttempt* attempt = nullptr);
  // A probe's outcome: counted as a probe, judged by the health's probe rule.
  void RecordProbe(std::size_t v, const std::string& key_name, const Status& status,
                   std::chrono::milliseconds latency);
  // Counts an ejection, quarantine or failback and tells the observer.
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

  // The router's decision counters (RouterStats without the gauges).
  struct Counters {
    std::atomic<std::uint64_t> unwraps{0}, unwrap_failures{0}, unwraps_coalesced{0}, wraps{0}, wrap_failures{0},
        vault_calls{0}, vault_call_failures{0}, throttled_responses{0}, failovers{0}, hedges{0}, hedge_wins{0},
        hedges_refused{0}, abandoned_results{0}, ejections{0}, failbacks{0}, quarantines{0}, probes{0},
        probe_failures{0}, verifications{0}, version_not_everywhere{0}, wraps_with_previous_version{0},
        recorder_failures{0}, attempts_skipped{0};
  };
  Counters& counters() { return counters_; }
  // A snapshot of the counters (unwraps_waiting is left 0: the coalescer's).
  RouterStats CountersSnapshot() const;

 private:
  // The VaultCallEvent of one call or probe, when there is an observer.
  void ReportCall(const Member& m, VaultCall kind, const std::string& key_name, const std::string& thumbprint,
                  const Status& status, std::chrono::milliseconds latency, const RaceAttempt* attempt) const;

  const RouterOptions options_;
  std::vector<Member> members_;
  Counters counters_;
};

template <typename T, typename Fn>
Result<T> VaultSet::Call(std::size_t v, VaultCall kind, const std::string& key_name, const std::string& thumbprint,
                         const Deadline& deadline, Fn&& fn, const RaceAttempt* attempt) {
  Member& m = members_[v];
  const auto started = Clock::now();
  Result<T> result = fn(*m.ops);
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  const Status status = result.ok() ? Status::Ok() : result.status();
  counters_.vault_calls++;
  if (!status.ok()) counters_.vault_call_failures++;
  if (status.error_class() == ErrorClass::kThrottled) counters_.throttled_responses++;
  // A call cancelled because another vault won the race says nothing of its
  // vault (the race counts it as outrun if it deserves that).
  if (!(deadline.cancelled() && !status.ok())) Publish(m.health->OnOutcome(Now(), status, latency));
  ReportCall(m, kind, key_name, thumbprint, status, latency, attempt);
  return result;
}

}  // namespace geoekm
