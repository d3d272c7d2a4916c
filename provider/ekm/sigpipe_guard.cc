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

SigpipeGuard::SigpipeGuard() : saved_(new Saved) {
  saved_->was_pending = PipePending();
  const sigset_t pipe = PipeSet();
  pthread_sigmask(SIG_BLOCK, &pipe, &saved_->old_mask);
}

SigpipeGuard::~SigpipeGuard() {
  if (!saved_->was_pending && PipePending()) {
    const sigset_t pipe = PipeSet();
    const timespec now{};
    sigtimedwait(&pipe, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &saved_->old_mask, nullptr);
}

#endif

}  // namespace geoekm::ekm
