#include "vault_router/http/socket_deadline.h"

#include <sys/socket.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace geoekm {

class SocketDeadlineWatcher {
 public:
  // Leaked on purpose: a static destructor would join the thread at exit.
  static SocketDeadlineWatcher& Get() {
    static SocketDeadlineWatcher* watcher = new SocketDeadlineWatcher();
    return *watcher;
  }

  void Arm(SocketDeadline* d) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = armed_.emplace(d->deadline_.at(), d);
    // The watcher sleeps until the earliest deadline: wake it only when that
    // changed (most requests finish long before their deadline).
    if (it == armed_.begin()) cv_.notify_one();
  }

  void Disarm(SocketDeadline* d) {
    std::lock_guard<std::mutex> lock(mu_);
    auto range = armed_.equal_range(d->deadline_.at());
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == d) {
        armed_.erase(it);
        return;
      }
    }
  }

 private:
  SocketDeadlineWatcher() { std::thread([this] { Run(); }).detach(); }

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (armed_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = armed_.begin();
      if (Clock::now() < first->first) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      // Under the lock: a socket whose SocketDeadline is being destroyed is
      // either shut down before the destructor returns or not at all.
      // fired_ first: the owner checks it as soon as its read returns.
      first->second->fired_.store(true);
      ::shutdown(first->second->fd_, SHUT_RDWR);
      armed_.erase(first);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, SocketDeadline*> armed_;
};

SocketDeadline::SocketDeadline(int fd, Deadline deadline) : fd_(fd), deadline_(deadline) {
  if (fd_ >= 0 && deadline_.at() != Clock::time_point::max()) SocketDeadlineWatcher::Get().Arm(this);
}

SocketDeadline::~SocketDeadline() {
  if (fd_ >= 0 && deadline_.at() != Clock::time_point::max()) SocketDeadlineWatcher::Get().Disarm(this);
}

}  // namespace geoekm
