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
// wrapped bytes themselves, not a hash of them). Its parts are views of the
// caller's own request, which outlives the caller's Run(): nothing is copied
// to coalesce, and an uncontended call allocates nothing here.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm {

class UnwrapCoalescer {
 public:
  using Call = std::function<Result<SecureBytes>(Deadline)>;
  // Two requests are identical when every part is.
  using Key = std::array<std::string_view, 5>;

  // `coalesced` (optional) is set to true when this caller shared another's call.
  Result<SecureBytes> Run(const Key& key, Deadline deadline, const Call& fn, bool* coalesced = nullptr);

  std::uint64_t leaders() const;
  std::uint64_t followers() const;
  // Callers currently waiting for another caller's flight.
  std::uint64_t waiting() const;

 private:
  // Made only when a second caller joins: until then nobody waits.
  struct Flight {
    bool done = false;
    std::optional<Result<SecureBytes>> result;
  };
  struct InFlight {
    std::size_t hash = 0;
    const Key* key = nullptr;  // the leader's: it removes this entry before its Run() returns
    std::shared_ptr<Flight> flight;
  };
  static std::size_t HashOf(const Key& key);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Few at a time (one per distinct unwrap in flight), searched linearly;
  // the vector keeps its capacity, so entering and leaving allocates nothing.
  std::vector<InFlight> in_flight_;
  std::uint64_t leaders_ = 0;
  std::uint64_t followers_ = 0;
  std::uint64_t waiting_ = 0;
};

}  // namespace geoekm
