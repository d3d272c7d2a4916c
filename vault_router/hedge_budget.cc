#include "vault_router/hedge_budget.h"

#include <algorithm>
#include <chrono>

#include "core/deadline.h"

namespace geoekm {

namespace {
std::int64_t CurrentSecond() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}
}  // namespace

HedgeBudget::HedgeBudget(double ratio, int min_per_second)
    : ratio_(std::max(0.0, ratio)), min_per_second_(static_cast<std::uint64_t>(std::max(0, min_per_second))) {}

void HedgeBudget::Roll(std::int64_t second) {
  if (second == second_) return;
  previous_requests_ = second == second_ + 1 ? requests_ : 0;
  requests_ = 0;
  hedges_ = 0;
  second_ = second;
}

void HedgeBudget::OnRequest() {
  std::lock_guard lock(mu_);
  Roll(CurrentSecond());
  ++requests_;
}

bool HedgeBudget::TryWithdraw() {
  std::lock_guard lock(mu_);
  Roll(CurrentSecond());
  const auto by_ratio =
      static_cast<std::uint64_t>(ratio_ * static_cast<double>(std::max(requests_, previous_requests_)));
  if (hedges_ >= std::max(min_per_second_, by_ratio)) return false;
  ++hedges_;
  return true;
}

}  // namespace geoekm
