// ObserverFanOut: the router reports to one RouterObserver; this one hands
// every event to several (the state store's recorder and the event log), in
// the order given.
//
// Thread safety: immutable after construction; as thread-safe as the
// observers it holds (each must be, see RouterObserver).
#pragma once

#include <memory>
#include <vector>

#include "vault_router/router_observer.h"

namespace geoekm {

class ObserverFanOut final : public RouterObserver {
 public:
  explicit ObserverFanOut(std::vector<std::shared_ptr<RouterObserver>> observers)
      : observers_(std::move(observers)) {}

  void OnHealthChange(const VaultHealthEvent& event) override;
  void OnVaultCall(const VaultCallEvent& event) override;
  void OnKeyCopy(const KeyCopyEvent& event) override;
  void OnRefusedRequest(const RefusedRequestEvent& event) override;

 private:
  const std::vector<std::shared_ptr<RouterObserver>> observers_;
};

}  // namespace geoekm
