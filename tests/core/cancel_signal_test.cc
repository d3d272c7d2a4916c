// CancelSignal and the Deadline that carries it: a cancelled deadline has
// passed, listeners run once, an unsubscribed listener never runs.
#include "core/cancel_signal.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/deadline.h"

namespace geoekm {
namespace {

using std::chrono::milliseconds;

class CountingListener final : public CancelSignal::Listener {
 public:
  void OnCancel() override { ++calls; }
  int calls = 0;
};

TEST(CancelSignal, ListenersRunOnceAndNotAfterUnsubscribing) {
  CancelSignal signal;
  CountingListener stays, leaves;
  ASSERT_TRUE(signal.Subscribe(&stays));
  ASSERT_TRUE(signal.Subscribe(&leaves));
  signal.Unsubscribe(&leaves);
  signal.Cancel();
  signal.Cancel();
  EXPECT_TRUE(signal.cancelled());
  EXPECT_EQ(stays.calls, 1);
  EXPECT_EQ(leaves.calls, 0);
  CountingListener late;
  EXPECT_FALSE(signal.Subscribe(&late));  // already cancelled: the caller acts itself
  EXPECT_EQ(late.calls, 0);
}

// Listeners are linked through themselves: leaving from the middle, the
// front and the back keeps the others linked, and a listener that leaves
// after the cancel (a socket deadline's destructor) changes nothing.
TEST(CancelSignal, ListenersLeaveFromAnyPlaceAndAfterTheCancel) {
  CancelSignal signal;
  CountingListener l[5];
  for (CountingListener& each : l) ASSERT_TRUE(signal.Subscribe(&each));
  signal.Unsubscribe(&l[2]);  // the middle
  signal.Unsubscribe(&l[4]);  // the latest subscribed
  signal.Unsubscribe(&l[0]);  // the earliest
  signal.Unsubscribe(&l[0]);  // twice: nothing
  ASSERT_TRUE(signal.Subscribe(&l[2]));  // back again
  signal.Cancel();
  EXPECT_EQ(l[0].calls, 0);
  EXPECT_EQ(l[1].calls, 1);
  EXPECT_EQ(l[2].calls, 1);
  EXPECT_EQ(l[3].calls, 1);
  EXPECT_EQ(l[4].calls, 0);
  for (CountingListener& each : l) signal.Unsubscribe(&each);
  signal.Cancel();
  EXPECT_EQ(l[1].calls + l[2].calls + l[3].calls, 3);
}

TEST(CancelSignal, ACancelledDeadlineHasPassedAndEarlierKeepsTheSignal) {
  auto signal = std::make_shared<CancelSignal>();
  const Deadline far = Deadline::After(std::chrono::hours(1)).WithCancel(signal);
  const Deadline sooner = Deadline::After(milliseconds(500));
  const Deadline both = sooner.Earlier(far);
  EXPECT_EQ(both.at(), sooner.at());
  EXPECT_EQ(both.cancel_signal(), signal.get());
  EXPECT_FALSE(both.expired());
  EXPECT_GT(both.remaining().count(), 0);
  signal->Cancel();
  EXPECT_TRUE(far.expired());
  EXPECT_TRUE(both.expired());
  EXPECT_EQ(both.remaining(), milliseconds(0));
  EXPECT_FALSE(sooner.expired());  // never had the signal
}

}  // namespace
}  // namespace geoekm
