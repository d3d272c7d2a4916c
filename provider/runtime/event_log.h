// EventLog: the router's events as log lines (README.md, "Logging") — the
// operator's view, like the Microsoft connector's event log: one line per
// health change, failover and failback, quarantine, retry budget
// exhaustion and refused input (an invalid API argument, whether the router
// or a vault client refused it; garbage from a vault; a startup that
// failed), each with the connector's error code and its description. Debug
// adds every vault call and key-copy finding.
//
// Failover is not a router event: it is seen here, when a wrap or unwrap
// that was neither hedged nor abandoned is answered by a vault other than
// the preferred one (the lowest priority not quarantined), and failback
// when the preferred one answers again. Retry budget exhaustion is counted
// by each KeyVaultClient; a vault call that fails after the count of its
// vault went up is logged as having exhausted it.
//
// Lines carry names, states, codes, thumbprints, latencies and request ids
// only (the router's events hold no payloads); free text is kept to one line.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <Poco/Logger.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "keyvault/keys/vault_health_state.h"
#include "vault_router/router_observer.h"

namespace geoekm {

class EventLog final : public RouterObserver {
 public:
  // `vaults_by_priority`: vault names, preferred first.
  EventLog(Poco::Logger& logger, std::string set_name, std::vector<std::string> vaults_by_priority);

  // `exhausted` returns how many retries the vault's client refused for
  // lack of budget so far (KeyVaultClientStats::budget_exhausted).
  void WatchRetryBudget(const std::string& vault, std::function<std::uint64_t()> exhausted);

  // Opening the vault set failed (state store, credentials, a vault client).
  void StartupFailed(const Status& status);

  void OnHealthChange(const VaultHealthEvent& event) override;
  void OnVaultCall(const VaultCallEvent& event) override;
  void OnKeyCopy(const KeyCopyEvent& event) override;
  void OnRefusedRequest(const RefusedRequestEvent& event) override;

 private:
  struct VaultView {
    VaultHealthState state = VaultHealthState::kHealthy;
    int error_code = 0;
    int http_status = 0;
    std::function<std::uint64_t()> budget_exhausted;
    std::uint64_t budget_seen = 0;
  };

  void Emit(int priority, const std::string& text);
  void TrackServingVault(const VaultCallEvent& event);
  void CheckRetryBudget(const VaultCallEvent& event);
  std::string Preferred() const;  // with mu_ held

  Poco::Logger& logger_;
  const std::string set_name_;
  const std::vector<std::string> order_;
  std::mutex mu_;
  std::map<std::string, VaultView> vaults_;
  std::string serving_;  // the vault that last answered a plain wrap/unwrap
};

}  // namespace geoekm
