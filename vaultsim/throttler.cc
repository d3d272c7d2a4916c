#include "vaultsim/throttler.h"

#include <algorithm>
#include <cmath>

namespace geoekm::vaultsim {
namespace {

// Transactions per 10 s for "all other" operations (service-limit table).
double OperationLimit(const std::optional<KeyClass>& key) {
  if (!key) return 4000;  // vault transactions without a key
  switch (key->bits) {
    case 3072: return key->hsm ? 500 : 1000;
    case 4096: return key->hsm ? 250 : 500;
    default: return key->hsm ? 2000 : 4000;
  }
}

bool IsCreate(KeyOperation op) {
  return op == KeyOperation::kCreate || op == KeyOperation::kImport || op == KeyOperation::kRotate;
}

}  // namespace

std::optional<int> Throttler::Admit(KeyOperation op, const std::optional<KeyClass>& key) {
  if (!config_.enabled) return std::nullopt;
  std::lock_guard lock(mu_);
  const auto window = std::chrono::seconds(config_.window_seconds);
  const Clock::time_point now = Clock::now();
  if (window_start_ == Clock::time_point{} || now - window_start_ >= window) {
    window_start_ = now;
    used_ = creates_used_ = 0;
  }
  double* bucket = &used_;
  double limit = OperationLimit(key);
  if (IsCreate(op)) {
    bucket = &creates_used_;
    limit = key && key->hsm ? 10 : 20;
  }
  limit = std::max(1.0, std::floor(limit * config_.limit_scale));
  const double cost = 1.0 / limit;
  if (*bucket + cost > 1.0 + 1e-9) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(window_start_ + window - now).count();
    return std::max<int>(1, static_cast<int>((left + 999) / 1000));
  }
  *bucket += cost;
  return std::nullopt;
}

}  // namespace geoekm::vaultsim
