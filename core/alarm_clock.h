// AlarmClock: one thread that rings each armed Alarm at its time. Used where
// many short operations each need a wake-up "if this is still running at T"
// that almost never comes: the transport's socket deadlines and the router's
// hedge hand-over. Arming and disarming take a lock but wake the thread only
// when it would otherwise sleep past the new alarm, and with nothing armed
// the thread sleeps until the latest alarm armed would have rung, so a
// stream of requests that finish in time costs about one wake-up per alarm
// span, not a thread hand-off per request.
//
// Alarm::Ring() runs on the clock's thread under its lock: it must be quick
// and must not arm or disarm alarms. Disarm() therefore tells for sure
// whether the alarm rang: once it returns, Ring() has either returned or
// will never run.
//
// Thread safety: Arm/Disarm/RingAllAndStop may be called concurrently. An
// alarm must stay alive while armed; arm each alarm at most once at a time.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/deadline.h"
#include "core/intrusive_list.h"

namespace geoekm {

// The clock's list of armed alarms runs through the alarms themselves
// (guarded by the clock's lock): arming allocates nothing.
class Alarm : public IntrusiveList<Alarm>::Node {
 public:
  explicit Alarm(Clock::time_point at) : at_(at) {}
  Alarm(const Alarm&) = delete;
  Alarm& operator=(const Alarm&) = delete;
  Clock::time_point at() const { return at_; }
  virtual void Ring() = 0;

 protected:
  virtual ~Alarm() = default;

 private:
  const Clock::time_point at_;
};

class AlarmClock {
 public:
  // thread_name: what the clock's thread is called (core/thread_name.h).
  explicit AlarmClock(const char* thread_name = "geoekm-clock");
  // Stops the thread; alarms still armed do not ring.
  ~AlarmClock();
  AlarmClock(const AlarmClock&) = delete;
  AlarmClock& operator=(const AlarmClock&) = delete;

  // Rings at once (on this thread) after RingAllAndStop().
  void Arm(Alarm* alarm);
  // True = removed before it rang; false = it rang (or was never armed).
  bool Disarm(Alarm* alarm);
  // Rings every armed alarm now, and any armed later as it is armed; ends
  // the thread (process exit: nobody waits for an answer any more).
  void RingAllAndStop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  // Armed alarms, soonest first. Most are armed for the same span from now,
  // so a new one is inserted from the latest end, usually at it.
  IntrusiveList<Alarm> armed_;
  // When the thread wakes next by itself (max: only when notified).
  Clock::time_point sleeping_until_ = Clock::time_point::max();
  // The latest time any alarm was armed for (rung, disarmed or not).
  Clock::time_point latest_armed_ = Clock::time_point::min();
  bool ring_all_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace geoekm
