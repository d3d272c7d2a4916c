// SocketDeadline: ends every blocking read and write on one socket when a
// deadline passes. Poco's socket timeouts bound each receive, not an
// exchange: a peer that sends one byte just before each receive times out
// keeps a request alive for as long as it likes. While a SocketDeadline is
// armed, the socket is shut down (both directions) at its deadline, so the
// read or write blocked on it returns at once and fails; the owner sees
// fired() and reports a timeout. The same happens at once when the
// deadline's CancelSignal fires (another vault answered the race first).
//
// One AlarmClock thread serves every armed socket of the process. At process
// exit (atexit; for a library, also dlclose) every armed socket is shut down
// at once, any armed later is shut down as it is armed, and the clock's
// thread ends: nothing waits for an answer then, so whatever joins the
// threads doing exchanges does not wait for their deadlines.
//
// Thread safety: construct and destroy on the thread that owns the socket;
// fired() may be read from any thread. After the destructor returns neither
// the clock nor the cancel signal touches the socket again, so it may then
// be closed.
#pragma once

#include <atomic>

#include "core/alarm_clock.h"
#include "core/cancel_signal.h"
#include "core/deadline.h"

namespace geoekm {

class SocketDeadline final : private Alarm, private CancelSignal::Listener {
 public:
  SocketDeadline(int fd, Deadline deadline);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // True once the deadline passed and the socket was shut down.
  bool fired() const { return fired_.load(); }

 private:
  void Ring() override { Fire(); }
  void OnCancel() override { Fire(); }
  void Fire();

  const int fd_;
  const bool armed_;  // on the clock (a finite deadline)
  CancelSignal* cancel_ = nullptr;  // subscribed to
  std::atomic<bool> fired_{false};
};

}  // namespace geoekm
