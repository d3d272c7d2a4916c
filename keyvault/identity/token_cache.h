// TokenCache: access tokens per (source identity = authority + client,
// tenant, resource), shared by every thread and every vault that uses the
// same credential.
//
// - Single flight: at most one Fetch() per entry is in flight. Callers that
//   find a still-usable token while a refresh runs get that token; callers
//   without one wait for the refresh and share its outcome (a failed fetch
//   is reported to all its waiters, not retried by each of them).
// - Refresh ahead: after AccessToken::refresh_on the next caller refreshes;
//   if that refresh fails while the old token is still usable the old token
//   is returned and the next attempt waits a few seconds.
// - Failure backoff: a failed fetch without a usable token is answered from
//   the cache for 2 s (a wrong secret must not hammer Entra ID), except a
//   deadline failure, which belongs to its caller; Invalidate() ends it.
// - Invalidate(): drops the cached token only if it is the one a vault
//   rejected, so N concurrent 401s with the same token cause one refresh.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "core/deadline.h"
#include "core/result.h"
#include "keyvault/identity/token_source.h"

namespace geoekm {

struct TokenCacheStats {
  std::uint64_t fetches = 0;   // successful Fetch() calls
  std::uint64_t failures = 0;  // failed Fetch() calls
};

class TokenCache {
 public:
  using UnixClock = std::function<std::int64_t()>;  // Unix seconds; injectable for tests

  explicit TokenCache(std::shared_ptr<TokenSource> source, UnixClock clock = nullptr);
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  Result<SecureString> Get(const TokenScope& scope, Deadline deadline);
  // Drops the cached token for `scope` if it equals `rejected`.
  void Invalidate(const TokenScope& scope, std::string_view rejected);

  TokenCacheStats stats() const;
  const TokenSource& source() const { return *source_; }

 private:
  struct Entry {
    std::mutex mu;
    std::condition_variable cv;
    bool has_token = false;
    AccessToken token;
    bool fetching = false;
    std::uint64_t generation = 0;  // bumps when a fetch completes
    Status last_error;
    std::int64_t next_attempt = 0;  // after a failed refresh-ahead
  };

  std::shared_ptr<Entry> EntryFor(const TokenScope& scope);
  Result<SecureString> FetchInto(Entry& e, std::unique_lock<std::mutex>& lock, const TokenScope& scope,
                                 Deadline deadline);

  std::shared_ptr<TokenSource> source_;
  UnixClock clock_;
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string>, std::shared_ptr<Entry>> entries_;
  TokenCacheStats stats_;
};

}  // namespace geoekm
