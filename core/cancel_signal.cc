#include "core/cancel_signal.h"

namespace geoekm {

void CancelSignal::Cancel() {
  std::lock_guard lock(mu_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  while (Listener* l = first_) {
    first_ = l->later_;
    l->earlier_ = l->later_ = nullptr;
    l->subscribed_ = false;
    l->OnCancel();
  }
}

bool CancelSignal::Subscribe(Listener* listener) {
  std::lock_guard lock(mu_);
  if (cancelled()) return false;
  listener->earlier_ = nullptr;
  listener->later_ = first_;
  if (first_) first_->earlier_ = listener;
  first_ = listener;
  listener->subscribed_ = true;
  return true;
}

void CancelSignal::Unsubscribe(Listener* listener) {
  std::lock_guard lock(mu_);
  if (!listener->subscribed_) return;  // cancelled meanwhile: already unlinked
  (listener->earlier_ ? listener->earlier_->later_ : first_) = listener->later_;
  if (listener->later_) listener->later_->earlier_ = listener->earlier_;
  listener->earlier_ = listener->later_ = nullptr;
  listener->subscribed_ = false;
}

}  // namespace geoekm
