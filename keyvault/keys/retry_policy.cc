#include "keyvault/keys/retry_policy.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "core/error_codes.h"

namespace geoekm {
namespace {

std::optional<long long> ParseInteger(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

constexpr double kMaxTokens = 100.0;

}  // namespace

std::optional<Millis> RetryAfterOf(const HttpResponse& response, std::chrono::system_clock::time_point now) {
  for (const char* ms_header : {"retry-after-ms", "x-ms-retry-after-ms"}) {
    if (auto v = ParseInteger(response.header(ms_header))) return Millis(*v);
  }
  std::string_view after = response.header("retry-after");
  if (after.empty()) return std::nullopt;
  if (auto seconds = ParseInteger(after)) return Millis(*seconds * 1000);
  // An HTTP-date (RFC 9110: "Sun, 06 Nov 1994 08:49:37 GMT"); Poco's parser
  // is lenient, so insist on the shape first.
  if (after.find(',') == std::string_view::npos || !after.ends_with("GMT")) return std::nullopt;
  try {
    int tz = 0;
    Poco::DateTime at = Poco::DateTimeParser::parse(Poco::DateTimeFormat::HTTP_FORMAT, std::string(after), tz);
    auto when = std::chrono::system_clock::from_time_t(at.timestamp().epochTime());
    return std::max(Millis(0), std::chrono::duration_cast<Millis>(when - now));
  } catch (const std::exception&) {
    return std::nullopt;  // unparsable: fall back to our own backoff
  }
}

BackoffPolicy::BackoffPolicy(Millis base, Millis max_delay, std::uint32_t seed)
    : base_(base), max_(max_delay), rng_(seed) {}

Millis BackoffPolicy::Delay(int attempt, std::optional<Millis> retry_after) {
  // The server's own delay is honoured in full (retrying earlier only earns
  // another 429); the caller's deadline is what bounds it.
  if (retry_after) return std::max(*retry_after, Millis(0));
  const long long cap = std::min<long long>(max_.count(), base_.count() << std::min(attempt, 20));
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_int_distribution<long long> jitter(0, std::max<long long>(cap, 0));
  return Millis(jitter(rng_));  // full jitter
}

RetryBudget::RetryBudget(double ratio, int min_per_second, Now now)
    : ratio_(ratio),
      min_per_second_(min_per_second),
      now_(std::move(now)),
      tokens_(0),
      free_tokens_(min_per_second),
      last_refill_(now_()) {}

void RetryBudget::RefillLocked(Clock::time_point now) {
  const double seconds = std::chrono::duration<double>(now - last_refill_).count();
  if (seconds <= 0) return;
  free_tokens_ = std::min<double>(min_per_second_, free_tokens_ + seconds * min_per_second_);
  last_refill_ = now;
}

void RetryBudget::OnRequest() {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_ = std::min(kMaxTokens, tokens_ + ratio_);
}

bool RetryBudget::TryRetry() {
  std::lock_guard<std::mutex> lock(mu_);
  RefillLocked(now_());
  if (free_tokens_ >= 1.0) {
    free_tokens_ -= 1.0;
    return true;
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  return false;
}

bool RetryPolicy::Retryable(const Status& failure, const HttpResponse* response, bool idempotent) const {
  if (failure.error_class() == ErrorClass::kThrottled) return rules_.retry_throttled;
  // A 409 is a state conflict the service refused, not processed (a restore
  // right after a purge is accepted seconds later): safe for any operation.
  if (response != nullptr && response->status == 409) return true;
  if (failure.error_class() != ErrorClass::kTransient || !idempotent) return false;
  if (failure.code() == codes::kTlsFailure || failure.code() == codes::kDeadlineExceeded) return false;
  const bool unreachable =
      response == nullptr && (failure.code() == codes::kHttpConnectSession || failure.code() == codes::kVaultNameNotResolved);
  return !unreachable || rules_.retry_unreachable;
}

std::optional<Millis> RetryPolicy::NextDelay(const Status& failure, const HttpResponse* response, bool idempotent,
                                             int attempt, Deadline deadline) {
  if (!Retryable(failure, response, idempotent) || attempt >= rules_.max_retries) return std::nullopt;
  std::optional<Millis> retry_after;
  if (response != nullptr) retry_after = RetryAfterOf(*response, std::chrono::system_clock::now());
  const Millis delay = backoff_.Delay(attempt, retry_after);
  if (delay >= deadline.remaining()) return std::nullopt;  // waiting would pass the deadline
  // Only a retry that will really be made takes a budget token.
  if (!budget_.TryRetry()) {
    budget_exhausted_.fetch_add(1);
    return std::nullopt;
  }
  return delay;
}

}  // namespace geoekm
