// Throttler: the vault's request budget per fixed window, weighted like the
// Key Vault service-limit table (docs/ARCHITECTURE.md §Service limits): a 4000-unit budget per
// window, one operation on a key costs 4000 / limit(kty, size); creates
// (create/import/rotate) have their own budget of 20 software / 10 HSM.
// limit_scale multiplies every limit (never below 1 per window). Rejected
// requests do not count.
//
// Thread safety: Admit may be called concurrently.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "vaultsim/keys_api.h"
#include "vaultsim/vault_config.h"

namespace geoekm::vaultsim {

class Throttler {
 public:
  explicit Throttler(const ThrottlingConfig& config) : config_(config) {}

  // nullopt = admitted (and counted); otherwise the whole seconds (>= 1)
  // until the current window ends, for Retry-After.
  std::optional<int> Admit(KeyOperation op, const std::optional<KeyClass>& key);

  bool enabled() const { return config_.enabled; }
  bool retry_after() const { return config_.retry_after; }

 private:
  using Clock = std::chrono::steady_clock;

  const ThrottlingConfig config_;
  std::mutex mu_;
  Clock::time_point window_start_{};
  double used_ = 0;         // of 1.0, operations
  double creates_used_ = 0; // of 1.0, creates
};

}  // namespace geoekm::vaultsim
