// HedgeBudget: limits speculative (hedged) attempts so that a slow period
// does not double the load on every vault (gRFC A6 throttling, Finagle-style
// retry budget): per second at most max(min_per_second, ratio × requests)
// hedges, counting requests of the current and the previous second.
// Failover after a real failure is not budgeted: it is how an unwrap
// succeeds at all.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <mutex>

namespace geoekm {

class HedgeBudget {
 public:
  HedgeBudget(double ratio, int min_per_second);

  void OnRequest();
  // True (and counted) if a hedge may start now.
  bool TryWithdraw();

 private:
  void Roll(std::int64_t second);

  const double ratio_;
  const std::uint64_t min_per_second_;
  std::mutex mu_;
  std::int64_t second_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t previous_requests_ = 0;
  std::uint64_t hedges_ = 0;
};

}  // namespace geoekm
