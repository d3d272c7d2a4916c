#include "core/background_priority.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace geoekm {
namespace {

int NicenessOf(pid_t tid) { return getpriority(PRIO_PROCESS, static_cast<id_t>(tid)); }

TEST(BackgroundPriority, LowersOnlyTheCallingThreadByItsNiceness) {
  const int callers = NicenessOf(gettid());
  int before = 0, after = 0;
  bool given_way = false;
  std::thread([&] {
    before = NicenessOf(gettid());
    given_way = GiveWayToCallers();
    after = NicenessOf(gettid());
  }).join();
  EXPECT_TRUE(given_way);
  EXPECT_EQ(before, callers);  // a new thread starts at its creator's
  EXPECT_EQ(after, std::min(before + kBackgroundNiceness, 19));
  EXPECT_EQ(NicenessOf(gettid()), callers);  // the caller's own is untouched
}

}  // namespace
}  // namespace geoekm
