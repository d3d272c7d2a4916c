// LatencyTracker: a vault's recent answer latency — an EWMA (for "this vault
// got slow") and the 95th percentile over the last kWindow samples (for the
// adaptive hedge delay, gRFC A6 "hedging delay").
//
// The samples are also kept sorted, updated per sample (a binary search and
// a move of at most kWindow values), so that the percentile and the maximum,
// read on every request for its hedge delay, cost a look-up instead of a
// copy and a selection.
//
// Thread safety: not synchronised; VaultHealth guards it.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>

namespace geoekm {

class LatencyTracker {
 public:
  static constexpr std::size_t kWindow = 64;
  // Below this many samples the percentile is not trusted (nullopt).
  static constexpr std::size_t kMinSamples = 5;

  void Add(std::chrono::milliseconds latency);
  void Clear();

  std::size_t samples() const { return count_; }
  std::optional<std::chrono::milliseconds> ewma() const;
  std::optional<std::chrono::milliseconds> p95() const;
  // The slowest of the samples kept (any count): what a vault with too few
  // samples for a percentile has shown at worst.
  std::optional<std::chrono::milliseconds> max() const;

 private:
  std::array<std::chrono::milliseconds::rep, kWindow> ring_{};    // in arrival order
  std::array<std::chrono::milliseconds::rep, kWindow> sorted_{};  // the same, ascending
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  double ewma_ms_ = 0.0;
};

}  // namespace geoekm
