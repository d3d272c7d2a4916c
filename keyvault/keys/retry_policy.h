// Retry decisions of the Key Vault client, in the vocabulary of gRPC's
// retry design (gRFC A6):
//
// - BackoffPolicy: exponential backoff with full jitter, base * 2^attempt
//   capped at max_delay; a server's Retry-After (seconds or HTTP-date) or
//   retry-after-ms / x-ms-retry-after-ms wins when present and is NOT capped
//   by max_delay (the caller stops when the wait would pass its deadline).
// - RetryBudget: a token bucket shared by all calls of one client, so a sick
//   vault is not hammered — each request deposits `ratio` tokens, each retry
//   takes one, and at least `min_per_second` retries are always allowed.
//
// - RetryPolicy: the last policy of KeyVaultClient's pipeline — which
//   failures are retried (RetryRules), and then the backoff and the budget.
//
// Only transient and throttled failures are retried (429 included, unlike
// the Azure SDK's default), and a 409 (a conflict the service did not act
// on); never past the operation's deadline.
//
// Thread safety: BackoffPolicy is immutable apart from its random source
// (mutex-protected); RetryBudget and RetryPolicy are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>

#include "core/deadline.h"
#include "core/status.h"
#include "keyvault/http/http_message.h"

namespace geoekm {

// The server-requested delay of a response, if it names one.
std::optional<Millis> RetryAfterOf(const HttpResponse& response, std::chrono::system_clock::time_point now);

class BackoffPolicy {
 public:
  BackoffPolicy(Millis base, Millis max_delay, std::uint32_t seed = std::random_device{}());
  // Delay before retry number `attempt` (0 = first retry).
  Millis Delay(int attempt, std::optional<Millis> retry_after);

 private:
  const Millis base_, max_;
  std::mutex mu_;
  std::mt19937 rng_;
};

class RetryBudget {
 public:
  using Now = std::function<Clock::time_point()>;
  RetryBudget(double ratio, int min_per_second, Now now = [] { return Clock::now(); });
  void OnRequest();
  // Takes a token for one retry; false when the budget is spent.
  bool TryRetry();

 private:
  void RefillLocked(Clock::time_point now);
  const double ratio_;
  const int min_per_second_;
  const Now now_;
  std::mutex mu_;
  double tokens_;
  double free_tokens_;  // the per-second minimum, refilled with time
  Clock::time_point last_refill_;
};

struct RetryRules {
  int max_retries = 3;
  // The router turns these off: a throttled or unreachable vault is another
  // vault's turn at once, not after this client's backoff.
  bool retry_throttled = true;
  bool retry_unreachable = true;
};

class RetryPolicy {
 public:
  RetryPolicy(RetryRules rules, Millis base_delay, Millis max_delay, double budget_ratio, int budget_min_per_second)
      : rules_(rules), backoff_(base_delay, max_delay), budget_(budget_ratio, budget_min_per_second) {}

  // Every call deposits into the budget.
  void OnCall() { budget_.OnRequest(); }

  // Whether a try that failed with `failure` may be tried again at all
  // (`response`: the vault's answer, null when none came).
  bool Retryable(const Status& failure, const HttpResponse* response, bool idempotent) const;

  // The wait before the next try after try number `attempt` (0 = the first)
  // failed, or nullopt when the call ends here: not retryable, retries used
  // up, the wait would pass the deadline, or the budget is spent (counted).
  std::optional<Millis> NextDelay(const Status& failure, const HttpResponse* response, bool idempotent, int attempt,
                                  Deadline deadline);

  std::uint64_t budget_exhausted() const { return budget_exhausted_.load(); }

 private:
  const RetryRules rules_;
  BackoffPolicy backoff_;
  RetryBudget budget_;
  std::atomic<std::uint64_t> budget_exhausted_{0};
};

}  // namespace geoekm
