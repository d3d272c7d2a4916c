#include "core/cancel_signal.h"

namespace geoekm {

void CancelSignal::Cancel() {
  std::lock_guard lock(mu_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  while (Listener* l = listeners_.first()) {
    listeners_.Unlink(l);
    l->OnCancel();
  }
}

bool CancelSignal::Subscribe(Listener* listener) {
  std::lock_guard lock(mu_);
  if (cancelled()) return false;
  listeners_.InsertAfter(nullptr, listener);
  return true;
}

void CancelSignal::Unsubscribe(Listener* listener) {
  std::lock_guard lock(mu_);
  if (listener->linked()) listeners_.Unlink(listener);  // else cancelled meanwhile: already unlinked
}

}  // namespace geoekm
