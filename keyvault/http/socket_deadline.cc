#include "keyvault/http/socket_deadline.h"

#include <sys/socket.h>

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

namespace geoekm {

class SocketDeadlineWatcher {
 public:
  // Leaked on purpose: static destructors that run after FireAll() may still
  // arm and disarm sockets; its thread ends in FireAll().
  static SocketDeadlineWatcher& Get() {
    static SocketDeadlineWatcher* watcher = new SocketDeadlineWatcher();
    return *watcher;
  }

  void Arm(SocketDeadline* d) {
    std::lock_guard<std::mutex> lock(mu_);
    if (exiting_) {
      Fire(d);
      return;
    }
    armed_.emplace(d->deadline_.at(), d);
    // Wake the watcher only when it would sleep past this deadline. Most
    // requests end long before their deadline and are disarmed meanwhile,
    // so the watcher keeps sleeping until a deadline that has since gone:
    // that spurious wake-up comes once per deadline span, instead of a
    // thread hand-off on every request.
    if (d->deadline_.at() < sleeping_until_) cv_.notify_one();
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
  SocketDeadlineWatcher() {
    thread_ = std::thread([this] { Run(); });
    // At exit nobody waits for an answer any more: end every exchange now,
    // so that whatever joins the threads doing them (a router's workers in a
    // static destructor) does not wait for their deadlines.
    std::atexit([] { Get().FireAll(); });
  }

  // Also ends the watcher thread (a library unloaded with dlclose runs its
  // atexit handlers then: no thread of it may outlive its code).
  void FireAll() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      exiting_ = true;
      for (auto& [at, d] : armed_) Fire(d);
      armed_.clear();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // fired_ first: the owner checks it as soon as its read returns.
  static void Fire(SocketDeadline* d) {
    d->fired_.store(true);
    ::shutdown(d->fd_, SHUT_RDWR);
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!exiting_) {
      if (armed_.empty()) {
        sleeping_until_ = Clock::time_point::max();
        cv_.wait(lock);
        continue;
      }
      auto first = armed_.begin();
      // A copy: wait_until reads it again after waking, and the entry may be
      // gone by then.
      const Clock::time_point earliest = first->first;
      if (Clock::now() < earliest) {
        sleeping_until_ = earliest;
        cv_.wait_until(lock, earliest);
        continue;
      }
      // Under the lock: a socket whose SocketDeadline is being destroyed is
      // either shut down before the destructor returns or not at all.
      Fire(first->second);
      armed_.erase(first);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, SocketDeadline*> armed_;
  // When the watcher wakes next by itself (max: only when notified).
  Clock::time_point sleeping_until_ = Clock::time_point::max();
  bool exiting_ = false;
  std::thread thread_;
};

SocketDeadline::SocketDeadline(int fd, Deadline deadline) : fd_(fd), deadline_(deadline) {
  if (fd_ >= 0 && deadline_.at() != Clock::time_point::max()) SocketDeadlineWatcher::Get().Arm(this);
}

SocketDeadline::~SocketDeadline() {
  if (fd_ >= 0 && deadline_.at() != Clock::time_point::max()) SocketDeadlineWatcher::Get().Disarm(this);
}

}  // namespace geoekm
