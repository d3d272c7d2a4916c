// AlarmClock: alarms ring at their time on the clock's thread, a disarmed
// alarm never rings and Disarm tells which happened, RingAllAndStop rings
// everything at once, and a stream of short operations costs the thread
// about one wake-up per alarm span.
#include "core/alarm_clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

// Rings each alarm into a shared list, to see the order.
class OrderAlarm final : public Alarm {
 public:
  OrderAlarm(Clock::time_point at, int id, std::vector<int>* order, std::mutex* mu)
      : Alarm(at), id_(id), order_(order), mu_(mu) {}
  void Ring() override {
    std::lock_guard lock(*mu_);
    order_->push_back(id_);
  }

 private:
  int id_;
  std::vector<int>* order_;
  std::mutex* mu_;
};

// Alarms armed in any order ring soonest first, equal times in the order
// armed, and one disarmed from between others is left out.
TEST(AlarmClock, AlarmsRingSoonestFirstAndEqualTimesInTheOrderArmed) {
  AlarmClock clock;
  std::vector<int> order;
  std::mutex mu;
  const auto now = Clock::now();
  OrderAlarm late(now + milliseconds(90), 1, &order, &mu), early(now + milliseconds(30), 2, &order, &mu),
      middle(now + milliseconds(60), 3, &order, &mu), early_too(now + milliseconds(30), 4, &order, &mu),
      first(now + milliseconds(10), 5, &order, &mu);
  for (OrderAlarm* a : {&late, &early, &middle, &early_too, &first}) clock.Arm(a);
  EXPECT_TRUE(clock.Disarm(&middle));
  EXPECT_FALSE(clock.Disarm(&middle));  // not armed any more
  const auto until = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (order.size() >= 4 || Clock::now() > until) break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  std::this_thread::sleep_for(milliseconds(50));
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<int>{5, 2, 4, 1}));
  EXPECT_FALSE(clock.Disarm(&late));  // it rang
}

// How often the thread of this process named `name` has gone to sleep and
// been woken (its voluntary context switches), from /proc; -1 if not found.
long WakeUpsOfThread(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    if (!std::getline(comm, line) || line != name) continue;
    std::ifstream status(task.path() / "status");
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(line.find(':') + 1));
    }
  }
  return -1;
}

// Requests each arm an alarm one span ahead and disarm it when they finish,
// with nothing armed between them (the router's hedge hand-over). The
// thread must not be woken for each one, nor twice per span (once when the
// gone alarm was due and again by the next request's alarm).
TEST(AlarmClock, AStreamOfShortOperationsWakesTheThreadAboutOncePerAlarmSpan) {
  AlarmClock clock("alarm-span-test");
  const milliseconds span(20);
  std::this_thread::sleep_for(milliseconds(20));  // the thread is up and asleep
  const long before = WakeUpsOfThread("alarm-span-test");
  ASSERT_GE(before, 0) << "the clock's thread was not found by name";
  const auto start = Clock::now();
  int operations = 0;
  while (Clock::now() - start < 20 * span) {
    CountingAlarm alarm(Clock::now() + span);
    clock.Arm(&alarm);
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // the operation
    clock.Disarm(&alarm);
    ++operations;
    std::this_thread::sleep_for(milliseconds(2));  // between operations: nothing armed
  }
  const double spans = std::chrono::duration<double>(Clock::now() - start) / span;
  const long wake_ups = WakeUpsOfThread("alarm-span-test") - before;
  EXPECT_GT(operations, 20);
  EXPECT_GE(wake_ups, 1);
  EXPECT_LE(static_cast<double>(wake_ups), 1.4 * spans + 2) << operations << " operations over " << spans << " spans";
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
