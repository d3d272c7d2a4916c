#include "vault_router/bounded_executor.h"

#include <algorithm>

#include "core/thread_name.h"

namespace geoekm {

BoundedExecutor::BoundedExecutor(std::size_t threads, std::size_t max_queued)
    : thread_count_(std::max<std::size_t>(1, threads)), max_queued_(std::max<std::size_t>(1, max_queued)) {
  workers_.reserve(thread_count_);
  for (std::size_t i = 0; i < thread_count_; ++i) workers_.emplace_back([this] {
      NameThisThread("geoekm-worker");
      WorkerLoop();
    });
}

BoundedExecutor::~BoundedExecutor() { Shutdown(); }

bool BoundedExecutor::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void BoundedExecutor::Shutdown() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  cv_.notify_all();
  dropped.clear();  // outside the lock: destroying a task may run arbitrary destructors
  std::call_once(joined_, [this] {
    for (std::thread& t : workers_) t.join();
  });
}

std::size_t BoundedExecutor::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void BoundedExecutor::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace geoekm
