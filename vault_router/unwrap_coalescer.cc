#include "vault_router/unwrap_coalescer.h"

#include <algorithm>
#include <functional>

#include "core/error_codes.h"
#include "vault_router/deadline_wait.h"

namespace geoekm {

namespace {

bool IsDeadlineFailure(const Result<SecureBytes>& r) {
  return !r.ok() && r.status().code() == codes::kDeadlineExceeded;
}

Status DeadlineStatus() {
  return Status(codes::kDeadlineExceeded, ErrorClass::kTransient,
                "deadline passed while waiting for an identical unwrap in flight");
}

}  // namespace

std::size_t UnwrapCoalescer::HashOf(const Key& key) {
  std::size_t h = 0;
  for (std::string_view part : key) h = h * 31 + std::hash<std::string_view>{}(part);
  return h;
}

Result<SecureBytes> UnwrapCoalescer::Run(const Key& key, Deadline deadline, const Call& fn, bool* coalesced) {
  if (coalesced) *coalesced = false;
  const std::size_t hash = HashOf(key);
  for (;;) {
    std::unique_lock lock(mu_);
    auto same = std::find_if(in_flight_.begin(), in_flight_.end(),
                             [&](const InFlight& f) { return f.hash == hash && *f.key == key; });
    if (same == in_flight_.end()) {
      in_flight_.push_back(InFlight{hash, &key, nullptr});
      ++leaders_;
      lock.unlock();

      Result<SecureBytes> result = fn(deadline);

      lock.lock();
      auto mine = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& f) { return f.key == &key; });
      std::shared_ptr<Flight> flight = std::move(mine->flight);
      if (mine + 1 != in_flight_.end()) *mine = std::move(in_flight_.back());
      in_flight_.pop_back();
      // Copied (a DEK: wiped with its last owner) only for those waiting.
      if (flight) {
        flight->result.emplace(result);
        flight->done = true;
      }
      lock.unlock();
      if (flight) cv_.notify_all();
      return result;
    }

    if (!same->flight) same->flight = std::make_shared<Flight>();
    std::shared_ptr<Flight> flight = same->flight;
    ++followers_;
    ++waiting_;
    if (coalesced) *coalesced = true;
    const bool finished = WaitUntil(cv_, lock, deadline.at(), [&] { return flight->done; });
    --waiting_;
    if (!finished) return DeadlineStatus();
    if (IsDeadlineFailure(*flight->result) && !deadline.expired()) continue;  // the leader ran out of its time, not ours
    return *flight->result;
  }
}

std::uint64_t UnwrapCoalescer::leaders() const {
  std::lock_guard lock(mu_);
  return leaders_;
}

std::uint64_t UnwrapCoalescer::followers() const {
  std::lock_guard lock(mu_);
  return followers_;
}

std::uint64_t UnwrapCoalescer::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

}  // namespace geoekm
