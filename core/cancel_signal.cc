#include "core/cancel_signal.h"

#include <algorithm>

namespace geoekm {

void CancelSignal::Cancel() {
  std::lock_guard lock(mu_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  for (Listener* l : listeners_) l->OnCancel();
  listeners_.clear();
}

bool CancelSignal::Subscribe(Listener* listener) {
  std::lock_guard lock(mu_);
  if (cancelled()) return false;
  listeners_.push_back(listener);
  return true;
}

void CancelSignal::Unsubscribe(Listener* listener) {
  std::lock_guard lock(mu_);
  std::erase(listeners_, listener);
}

}  // namespace geoekm
