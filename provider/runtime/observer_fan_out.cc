#include "provider/runtime/observer_fan_out.h"

namespace geoekm {

void ObserverFanOut::OnHealthChange(const VaultHealthEvent& event) {
  for (const auto& o : observers_) o->OnHealthChange(event);
}

void ObserverFanOut::OnVaultCall(const VaultCallEvent& event) {
  for (const auto& o : observers_) o->OnVaultCall(event);
}

void ObserverFanOut::OnKeyCopy(const KeyCopyEvent& event) {
  for (const auto& o : observers_) o->OnKeyCopy(event);
}

void ObserverFanOut::OnRefusedRequest(const RefusedRequestEvent& event) {
  for (const auto& o : observers_) o->OnRefusedRequest(event);
}

}  // namespace geoekm
