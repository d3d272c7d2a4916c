#include "keyvault/http/socket_deadline.h"

#include <sys/socket.h>

#include <cstdlib>

#include "core/alarm_clock.h"

namespace geoekm {
namespace {

// One clock for every socket of the process. Leaked on purpose: static
// destructors that run after exit's RingAllAndStop() may still arm and
// disarm sockets.
AlarmClock& SocketClock() {
  static AlarmClock* clock = [] {
    auto* c = new AlarmClock("geoekm-deadline");
    // At exit nobody waits for an answer any more: end every exchange now,
    // so that whatever joins the threads doing them (a router's workers in
    // a static destructor) does not wait for their deadlines.
    std::atexit([] { SocketClock().RingAllAndStop(); });
    return c;
  }();
  return *clock;
}

}  // namespace

SocketDeadline::SocketDeadline(int fd, Deadline deadline)
    : Alarm(deadline.at()), fd_(fd), armed_(fd >= 0 && deadline.at() != Clock::time_point::max()) {
  if (fd_ < 0) return;
  if (CancelSignal* signal = deadline.cancel_signal()) {
    cancel_ = signal;
    if (!signal->Subscribe(this)) {
      cancel_ = nullptr;
      Fire();
    }
  }
  if (armed_) SocketClock().Arm(this);
}

SocketDeadline::~SocketDeadline() {
  if (cancel_) cancel_->Unsubscribe(this);
  if (armed_) SocketClock().Disarm(this);
}

// fired_ first: the owner checks it as soon as its read returns.
void SocketDeadline::Fire() {
  fired_.store(true);
  ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace geoekm
