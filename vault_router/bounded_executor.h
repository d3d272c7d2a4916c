// BoundedExecutor: a fixed number of worker threads and a bounded task
// queue. The router runs hedged/parallel vault attempts and background
// probes here so that no caller, however many, makes it create threads.
//
// Submit() refuses (returns false) when the queue is full or the executor is
// shutting down; the caller then does the work itself or gives up. Shutdown()
// (also run by the destructor) stops accepting work, drops queued tasks
// (destroying them releases what they captured) and joins the workers,
// waiting for running tasks to return.
//
// Thread safety: all methods may be called concurrently, except that the
// destructor must not race with Submit().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace geoekm {

class BoundedExecutor {
 public:
  BoundedExecutor(std::size_t threads, std::size_t max_queued);
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  bool Submit(std::function<void()> task);
  void Shutdown();

  std::size_t threads() const { return thread_count_; }
  std::size_t queued() const;

 private:
  void WorkerLoop();

  const std::size_t thread_count_;
  const std::size_t max_queued_;
  std::once_flag joined_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace geoekm
