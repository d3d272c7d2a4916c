// UnwrapCoalescer: identical unwraps in flight share one routed call. When a
// server fails over it asks for one unwrap per database at once, mostly of
// the same wrapped DEK; without this each would be a separate vault call.
//
// Run(key, deadline, fn): the first caller for `key` (the leader) runs fn;
// callers arriving while it runs wait for its result, each until its own
// deadline, and receive a copy (SecureBytes: each copy is wiped on its own).
// If the leader's call ran out of *its* deadline, a follower that still has
// time does not inherit that failure: it runs (or joins) a new flight.
//
// The key must identify the request exactly (key version, algorithm and the
// wrapped bytes themselves, not a hash of them).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm {

class UnwrapCoalescer {
 public:
  using Call = std::function<Result<SecureBytes>(Deadline)>;

  // `coalesced` (optional) is set to true when this caller shared another's call.
  Result<SecureBytes> Run(const std::string& key, Deadline deadline, const Call& fn, bool* coalesced = nullptr);

  std::uint64_t leaders() const;
  std::uint64_t followers() const;
  // Callers currently waiting for another caller's flight.
  std::uint64_t waiting() const;

 private:
  struct Flight {
    bool done = false;
    std::size_t followers = 0;  // waiting for it; without any, the result is not copied here
    std::optional<Result<SecureBytes>> result;
  };

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Keyed by a view of the leader's key: the leader erases its flight
  // before Run() returns, so the view never outlives the string.
  std::unordered_map<std::string_view, std::shared_ptr<Flight>> flights_;
  std::uint64_t leaders_ = 0;
  std::uint64_t followers_ = 0;
  std::uint64_t waiting_ = 0;
};

}  // namespace geoekm
