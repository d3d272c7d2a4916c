#include "vault_router/unwrap_coalescer.h"

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

Result<SecureBytes> UnwrapCoalescer::Run(const std::string& key, Deadline deadline, const Call& fn, bool* coalesced) {
  if (coalesced) *coalesced = false;
  for (;;) {
    std::unique_lock lock(mu_);
    auto [it, leading] = flights_.try_emplace(std::string_view(key));
    if (leading) {
      auto flight = std::make_shared<Flight>();
      it->second = flight;
      ++leaders_;
      lock.unlock();

      Result<SecureBytes> result = fn(deadline);

      lock.lock();
      // Copied (a DEK: wiped with its last owner) only for those waiting.
      const bool followed = flight->followers > 0;
      if (followed) flight->result.emplace(result);
      flight->done = true;
      flights_.erase(std::string_view(key));
      lock.unlock();
      if (followed) cv_.notify_all();
      return result;
    }

    std::shared_ptr<Flight> flight = it->second;
    ++flight->followers;
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
