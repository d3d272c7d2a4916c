// SigpipeGuard on the calling thread: a SIGPIPE raised during a guarded call
// is consumed, one that was pending before the call is left to its owner, and
// the thread's mask is restored either way. A handler counts deliveries, so a
// SIGPIPE the guard failed to consume shows as a count instead of ending the
// test process.
#include "provider/ekm/sigpipe_guard.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ctime>

namespace geoekm::ekm {
namespace {

std::atomic<int> delivered{0};
void CountPipe(int) { delivered.fetch_add(1); }

bool SigpipePendingHere() {
  sigset_t pending;
  sigemptyset(&pending);
  EXPECT_EQ(sigpending(&pending), 0);
  return sigismember(&pending, SIGPIPE) == 1;
}

bool SigpipeBlockedHere() {
  sigset_t mask;
  EXPECT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &mask), 0);
  return sigismember(&mask, SIGPIPE) == 1;
}

void SetPipeBlocked(bool blocked) {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  ASSERT_EQ(pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &pipe, nullptr), 0);
}

class SigpipeGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    struct sigaction sa {};
    sa.sa_handler = CountPipe;
    sigemptyset(&sa.sa_mask);
    ASSERT_EQ(sigaction(SIGPIPE, &sa, &old_action_), 0);
    ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &old_mask_), 0);
    delivered = 0;
  }
  void TearDown() override {
    // Leave nothing pending behind for the next test.
    SetPipeBlocked(true);
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    const timespec now{};
    while (sigtimedwait(&pipe, nullptr, &now) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    sigaction(SIGPIPE, &old_action_, nullptr);
  }

 private:
  struct sigaction old_action_ {};
  sigset_t old_mask_{};
};

TEST_F(SigpipeGuardTest, RaisedDuringTheCallIsConsumedAndTheMaskRestored) {
  SetPipeBlocked(false);
  {
    SigpipeGuard guard;
    EXPECT_TRUE(SigpipeBlockedHere());
    ASSERT_EQ(pthread_kill(pthread_self(), SIGPIPE), 0);
    EXPECT_TRUE(SigpipePendingHere());
  }
  EXPECT_FALSE(SigpipeBlockedHere());
  EXPECT_FALSE(SigpipePendingHere());
  EXPECT_EQ(delivered.load(), 0) << "the SIGPIPE raised during the call reached the thread";
}

TEST_F(SigpipeGuardTest, NothingRaisedLeavesNothingBehind) {
  SetPipeBlocked(false);
  { SigpipeGuard guard; }
  EXPECT_FALSE(SigpipeBlockedHere());
  EXPECT_FALSE(SigpipePendingHere());
  EXPECT_EQ(delivered.load(), 0);
}

TEST_F(SigpipeGuardTest, ACallerThatBlocksSigpipeGetsItsOwnPendingOneBack) {
  SetPipeBlocked(true);
  ASSERT_EQ(pthread_kill(pthread_self(), SIGPIPE), 0);  // the caller's, before the call
  ASSERT_TRUE(SigpipePendingHere());
  {
    SigpipeGuard guard;
    ASSERT_EQ(pthread_kill(pthread_self(), SIGPIPE), 0);  // merges with the pending one
  }
  EXPECT_TRUE(SigpipeBlockedHere());
  EXPECT_TRUE(SigpipePendingHere()) << "the guard consumed a SIGPIPE that was pending before the call";
  EXPECT_EQ(delivered.load(), 0);
}

TEST_F(SigpipeGuardTest, ACallerThatBlocksSigpipeGetsNoneFromTheCall) {
  SetPipeBlocked(true);
  ASSERT_FALSE(SigpipePendingHere());
  {
    SigpipeGuard guard;
    ASSERT_EQ(pthread_kill(pthread_self(), SIGPIPE), 0);
  }
  EXPECT_TRUE(SigpipeBlockedHere());
  EXPECT_FALSE(SigpipePendingHere()) << "a SIGPIPE raised during the call was left pending";
  EXPECT_EQ(delivered.load(), 0);
}

}  // namespace
}  // namespace geoekm::ekm
