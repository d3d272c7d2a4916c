#include "provider/ekm/sigpipe_guard.h"

#if !defined(_WIN32)
#include <pthread.h>
#include <signal.h>

#include <ctime>
#endif

namespace geoekm::ekm {

#if defined(_WIN32)

struct SigpipeGuard::Saved {};
SigpipeGuard::SigpipeGuard() = default;
SigpipeGuard::~SigpipeGuard() = default;

#else

struct SigpipeGuard::Saved {
  sigset_t old_mask;
  bool was_blocked = false;  // SIGPIPE was in old_mask: blocking it changed nothing
  bool was_pending = false;  // pending before the call: not ours to consume
};

namespace {

sigset_t PipeSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

bool PipePending() {
  sigset_t pending;
  sigemptyset(&pending);
  return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

// Three system calls per guarded call, not four: each costs a few
// microseconds on a virtual machine, a visible share of an unwrap. A
// SIGPIPE can be pending before the call only if the calling thread had
// blocked it (an unblocked one would have been delivered), so sigpending is
// asked on entry only then; and the mask needs restoring only if SIGPIPE
// was not blocked already. sigtimedwait runs only for a SIGPIPE that is
// there.
SigpipeGuard::SigpipeGuard() : saved_(new Saved) {
  const sigset_t pipe = PipeSet();
  pthread_sigmask(SIG_BLOCK, &pipe, &saved_->old_mask);
  saved_->was_blocked = sigismember(&saved_->old_mask, SIGPIPE) == 1;
  if (saved_->was_blocked) saved_->was_pending = PipePending();
}

SigpipeGuard::~SigpipeGuard() {
  if (!saved_->was_pending && PipePending()) {
    const sigset_t pipe = PipeSet();
    const timespec now{};
    sigtimedwait(&pipe, nullptr, &now);
  }
  if (!saved_->was_blocked) pthread_sigmask(SIG_SETMASK, &saved_->old_mask, nullptr);
}

#endif

}  // namespace geoekm::ekm
