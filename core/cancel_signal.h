// CancelSignal: tells work in progress on another thread to stop now, not
// at its deadline. The router's hedged race uses it to end the caller's own
// vault attempt once another vault has answered (see
// vault_router/hedged_race.h); a Deadline carries it down to the transport,
// whose SocketDeadline listens and shuts the socket down.
//
// Thread safety: all methods may be called concurrently. Listeners run on
// the thread that calls Cancel(), under the signal's lock: they must be
// quick and must not call back into the signal. After Unsubscribe() returns
// the listener is never called again.
#pragma once

#include <atomic>
#include <mutex>

#include "core/intrusive_list.h"

namespace geoekm {

class CancelSignal {
 public:
  // Linked into the signal through itself while subscribed (nearly every
  // signal has one listener, a socket's deadline: no allocation for it).
  class Listener : public IntrusiveList<Listener>::Node {
   public:
    virtual void OnCancel() = 0;

   protected:
    ~Listener() = default;
  };

  CancelSignal() = default;
  CancelSignal(const CancelSignal&) = delete;
  CancelSignal& operator=(const CancelSignal&) = delete;

  // Idempotent; runs every subscribed listener once.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // False (and not subscribed) when already cancelled: the caller acts now.
  bool Subscribe(Listener* listener);
  void Unsubscribe(Listener* listener);

 private:
  std::mutex mu_;
  std::atomic<bool> cancelled_{false};
  IntrusiveList<Listener> listeners_;  // guarded by mu_
};

}  // namespace geoekm
