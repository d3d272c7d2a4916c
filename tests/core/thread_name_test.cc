#include "core/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <future>
#include <string>
#include <thread>

#include "core/alarm_clock.h"

namespace geoekm {
namespace {

std::string NameOfThisThread() {
  char name[64] = {};
  EXPECT_EQ(pthread_getname_np(pthread_self(), name, sizeof name), 0);
  return name;
}

TEST(ThreadName, NamesTheCallingThreadAndCutsLongNamesToFifteenCharacters) {
  std::string short_name, long_name;
  std::thread([&] {
    NameThisThread("geoekm-writer");
    short_name = NameOfThisThread();
    NameThisThread("geoekm-a-name-far-too-long");
    long_name = NameOfThisThread();
  }).join();
  EXPECT_EQ(short_name, "geoekm-writer");
  EXPECT_EQ(long_name, "geoekm-a-name-f");
  EXPECT_NE(NameOfThisThread(), "geoekm-writer");  // only the calling thread was named
}

// An alarm rings on the clock's own thread, which carries the clock's name.
struct NameRecordingAlarm final : Alarm {
  using Alarm::Alarm;
  void Ring() override { rang_on.set_value(NameOfThisThread()); }
  std::promise<std::string> rang_on;
};

TEST(ThreadName, AnAlarmClocksThreadIsNamed) {
  AlarmClock clock("geoekm-hedges");
  NameRecordingAlarm alarm(Clock::now());
  std::future<std::string> name = alarm.rang_on.get_future();
  clock.Arm(&alarm);
  ASSERT_EQ(name.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(name.get(), "geoekm-hedges");
}

}  // namespace
}  // namespace geoekm
