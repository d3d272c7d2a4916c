#include "keyvault/identity/token_cache.h"

#include <chrono>

#include "core/error_codes.h"

namespace geoekm {
namespace {

constexpr std::int64_t kRetryAfterFailedRefresh = 5;  // seconds, while an old token is still usable
constexpr std::int64_t kRetryAfterFailedFetch = 2;    // seconds: a wrong secret must not hammer the authority

std::int64_t SystemUnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status DeadlineStatus() {
  return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "deadline passed while waiting for a token");
}

}  // namespace

TokenCache::TokenCache(std::shared_ptr<TokenSource> source, UnixClock clock)
    : source_(std::move(source)), clock_(clock ? std::move(clock) : UnixClock(SystemUnixNow)) {}

std::shared_ptr<TokenCache::Entry> TokenCache::EntryFor(const TokenScope& scope) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = entries_[{scope.tenant, scope.resource}];
  if (!slot) slot = std::make_shared<Entry>();
  return slot;
}

Result<SecureString> TokenCache::Get(const TokenScope& scope, Deadline deadline) {
  std::shared_ptr<Entry> entry = EntryFor(scope);
  Entry& e = *entry;
  std::unique_lock<std::mutex> lock(e.mu);
  while (true) {
    std::int64_t now = clock_();
    bool usable = e.has_token && now < e.token.usable_until;
    if (usable && (now < e.token.refresh_on || e.fetching || now < e.next_attempt)) return e.token.value;
    if (!usable && !e.fetching && now < e.next_attempt && !e.last_error.ok()) return e.last_error;
    if (!e.fetching) return FetchInto(e, lock, scope, deadline);
    // Someone else is fetching and we have nothing usable: wait for them.
    std::uint64_t generation = e.generation;
    auto done = [&] { return e.generation != generation; };
    if (deadline.at() == Clock::time_point::max()) {
      e.cv.wait(lock, done);
    } else if (!e.cv.wait_until(lock, deadline.at(), done)) {
      return DeadlineStatus();
    }
    if (e.last_error.code() == codes::kDeadlineExceeded && !deadline.expired()) continue;  // its deadline, not ours
    if (!e.last_error.ok() && !(e.has_token && clock_() < e.token.usable_until)) return e.last_error;
  }
}

Result<SecureString> TokenCache::FetchInto(Entry& e, std::unique_lock<std::mutex>& lock, const TokenScope& scope,
                                           Deadline deadline) {
  e.fetching = true;
  lock.unlock();
  Result<AccessToken> fetched = source_->Fetch(scope, deadline);
  lock.lock();
  e.fetching = false;
  ++e.generation;
  {
    std::lock_guard<std::mutex> stats_lock(mu_);
    ++(fetched.ok() ? stats_.fetches : stats_.failures);
  }
  e.cv.notify_all();  // waiters re-check under the lock once we release it
  if (fetched.ok()) {
    e.token = std::move(fetched).value();
    e.has_token = true;
    e.last_error = Status::Ok();
    e.next_attempt = 0;
    return e.token.value;
  }
  e.last_error = fetched.status();
  std::int64_t now = clock_();
  if (e.has_token && now < e.token.usable_until) {
    // Refresh-ahead failed: keep serving the old token for a while.
    e.next_attempt = now + kRetryAfterFailedRefresh;
    return e.token.value;
  }
  // The caller's own deadline says nothing about the authority: no backoff.
  e.next_attempt = fetched.status().code() == codes::kDeadlineExceeded ? 0 : now + kRetryAfterFailedFetch;
  return fetched.status();
}

void TokenCache::Invalidate(const TokenScope& scope, std::string_view rejected) {
  std::shared_ptr<Entry> entry = EntryFor(scope);
  std::lock_guard<std::mutex> lock(entry->mu);
  if (entry->has_token && std::string_view(entry->token.value) == rejected) {
    entry->has_token = false;
    entry->token = AccessToken{};
    entry->next_attempt = 0;
  }
}

TokenCacheStats TokenCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace geoekm
