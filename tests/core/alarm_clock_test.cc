// AlarmClock: alarms ring at their time on the clock's thread, a disarmed
// alarm never rings and Disarm tells which happened, RingAllAndStop rings
// everything at once.
#include "core/alarm_clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace geoekm {
namespace {

using std::chrono::milliseconds;

class CountingAlarm final : public Alarm {
 public:
  explicit CountingAlarm(Clock::time_point at) : Alarm(at) {}
  void Ring() override {
    rang_at = Clock::now();
    ring_thread = std::this_thread::get_id();
    rings.fetch_add(1);
  }
  std::atomic<int> rings{0};
  Clock::time_point rang_at;
  std::thread::id ring_thread;
};

TEST(AlarmClock, RingsOnItsOwnThreadNoEarlierThanItsTime) {
  AlarmClock clock;
  const auto at = Clock::now() + milliseconds(50);
  CountingAlarm alarm(at);
  clock.Arm(&alarm);
  const auto until = Clock::now() + std::chrono::seconds(10);
  while (alarm.rings.load() == 0 && Clock::now() < until) std::this_thread::sleep_for(milliseconds(5));
  ASSERT_EQ(alarm.rings.load(), 1);
  EXPECT_GE(alarm.rang_at, at);
  EXPECT_NE(alarm.ring_thread, std::this_thread::get_id());
  EXPECT_FALSE(clock.Disarm(&alarm));  // it rang
}

TEST(AlarmClock, ADisarmedAlarmNeverRingsAndAnEarlierOneStillDoes) {
  AlarmClock clock;
  CountingAlarm late(Clock::now() + milliseconds(300));
  clock.Arm(&late);
  // Armed after a later one: the sleeping thread must wake for it.
  CountingAlarm early(Clock::now() + milliseconds(20));
  clock.Arm(&early);
  EXPECT_TRUE(clock.Disarm(&late));
  const auto until = Clock::now() + std::chrono::seconds(10);
  while (early.rings.load() == 0 && Clock::now() < until) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(early.rings.load(), 1);
  EXPECT_LT(early.rang_at, Clock::now() + milliseconds(250));
  std::this_thread::sleep_for(milliseconds(400));
  EXPECT_EQ(late.rings.load(), 0);
}

TEST(AlarmClock, RingAllAndStopRingsEverythingNowAndLaterAlarmsAtOnce) {
  AlarmClock clock;
  CountingAlarm far(Clock::now() + std::chrono::hours(1));
  clock.Arm(&far);
  clock.RingAllAndStop();
  EXPECT_EQ(far.rings.load(), 1);
  CountingAlarm after(Clock::now() + std::chrono::hours(1));
  clock.Arm(&after);  // rings on this thread, at once
  EXPECT_EQ(after.rings.load(), 1);
  EXPECT_EQ(after.ring_thread, std::this_thread::get_id());
}

}  // namespace
}  // namespace geoekm
