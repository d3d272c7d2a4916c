#include "core/alarm_clock.h"

#include <algorithm>

#include "core/thread_name.h"

namespace geoekm {

AlarmClock::AlarmClock(const char* thread_name) {
  thread_ = std::thread([this, thread_name] {
    NameThisThread(thread_name);
    Run();
  });
}

AlarmClock::~AlarmClock() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlarmClock::Arm(Alarm* alarm) {
  std::lock_guard lock(mu_);
  if (ring_all_) {
    alarm->Ring();
    return;
  }
  // After the last alarm due no later than this one (so equal times ring in
  // the order armed), searching from the latest end.
  Alarm* before = armed_.last();
  while (before && before->at() > alarm->at()) before = IntrusiveList<Alarm>::Earlier(*before);
  armed_.InsertAfter(before, alarm);
  latest_armed_ = std::max(latest_armed_, alarm->at());
  // Most alarms are disarmed long before they are due, so the thread keeps
  // sleeping until one that has since gone: wake it only when it would
  // sleep past this one.
  if (alarm->at() < sleeping_until_) cv_.notify_one();
}

bool AlarmClock::Disarm(Alarm* alarm) {
  std::lock_guard lock(mu_);
  if (!alarm->linked()) return false;
  armed_.Unlink(alarm);
  return true;
}

void AlarmClock::RingAllAndStop() {
  {
    std::lock_guard lock(mu_);
    ring_all_ = true;
    stopping_ = true;
    while (Alarm* alarm = armed_.first()) {
      armed_.Unlink(alarm);
      alarm->Ring();
    }
  }
  cv_.notify_all();
  // A library unloaded with dlclose runs its atexit handlers here: no
  // thread of it may outlive its code.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void AlarmClock::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!armed_.first()) {
      // Nothing armed: sleep until the latest alarm armed would have rung,
      // not for good. Requests that come and go each arm an alarm due later
      // than that, so none of them has to wake this thread (a wake-up is a
      // futex call on the request's thread and a context switch here): a
      // steady stream costs one wake-up per alarm span instead of two.
      const Clock::time_point now = Clock::now();
      if (latest_armed_ > now) {
        sleeping_until_ = latest_armed_;
        const Clock::time_point until = latest_armed_;
        cv_.wait_until(lock, until);
      } else {
        sleeping_until_ = Clock::time_point::max();
        cv_.wait(lock);
      }
      continue;
    }
    // A copy: wait_until reads it again after waking, and the alarm may be
    // gone by then.
    const Clock::time_point earliest = armed_.first()->at();
    if (Clock::now() < earliest) {
      sleeping_until_ = earliest;
      cv_.wait_until(lock, earliest);
      continue;
    }
    // Under the lock: an alarm being disarmed either rings before Disarm
    // returns or not at all.
    Alarm* due = armed_.first();
    armed_.Unlink(due);
    due->Ring();
  }
}

}  // namespace geoekm
