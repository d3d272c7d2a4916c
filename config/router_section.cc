// [router]: the failover tuning knobs, table-driven so validation, the CLI
// and the documentation agree on names, units and ranges.
#include <chrono>
#include <cmath>

#include "config/section_reader.h"
#include "config/vault_set_sections.h"

namespace geoekm {
namespace {

using Kind = RouterKnob::Kind;

template <typename Duration>
RouterKnob DurationKnob(const char* key, Duration RouterTuning::*field, double min, double max) {
  return {key, Kind::kInteger, min, max,
          [field](const RouterTuning& t) { return static_cast<double>((t.*field).count()); },
          [field](RouterTuning& t, double v) { t.*field = Duration(static_cast<typename Duration::rep>(v)); }};
}

RouterKnob IntKnob(const char* key, int RouterTuning::*field, double min, double max) {
  return {key, Kind::kInteger, min, max, [field](const RouterTuning& t) { return static_cast<double>(t.*field); },
          [field](RouterTuning& t, double v) { t.*field = static_cast<int>(v); }};
}

RouterKnob NumberKnob(const char* key, double RouterTuning::*field, double min, double max) {
  return {key, Kind::kNumber, min, max, [field](const RouterTuning& t) { return t.*field; },
          [field](RouterTuning& t, double v) { t.*field = v; }};
}

RouterKnob BoolKnob(const char* key, bool RouterTuning::*field) {
  return {key, Kind::kBool, 0, 1, [field](const RouterTuning& t) { return t.*field ? 1.0 : 0.0; },
          [field](RouterTuning& t, double v) { t.*field = v != 0; }};
}

}  // namespace

const std::vector<RouterKnob>& RouterKnobs() {
  using T = RouterTuning;
  static const std::vector<RouterKnob> kKnobs = {
      DurationKnob("hedge_delay_floor_ms", &T::hedge_delay_floor, 1, 60000),
      DurationKnob("hedge_delay_cap_ms", &T::hedge_delay_cap, 1, 600000),
      NumberKnob("hedge_latency_factor", &T::hedge_latency_factor, 1.0, 10.0),
      DurationKnob("expected_rtt_ms", &T::expected_rtt, 1, 60000),
      BoolKnob("hedging_enabled", &T::hedging_enabled),
      IntKnob("consecutive_failures_to_eject", &T::consecutive_failures_to_eject, 1, 100),
      NumberKnob("error_rate_to_eject", &T::error_rate_to_eject, 0.01, 1.0),
      DurationKnob("error_rate_window_s", &T::error_rate_window, 1, 3600),
      DurationKnob("probe_interval_ms", &T::probe_interval, 100, 600000),
      DurationKnob("probe_interval_max_ms", &T::probe_interval_max, 100, 3600000),
      DurationKnob("failback_hysteresis_s", &T::failback_hysteresis, 0, 3600),
      IntKnob("max_retries", &T::max_retries, 0, 10),
      DurationKnob("retry_base_delay_ms", &T::retry_base_delay, 1, 60000),
      DurationKnob("retry_max_delay_ms", &T::retry_max_delay, 1, 600000),
      NumberKnob("retry_budget_ratio", &T::retry_budget_ratio, 0.0, 1.0),
      IntKnob("retry_budget_min_per_second", &T::retry_budget_min_per_second, 0, 10000),
      DurationKnob("operation_deadline_ms", &T::operation_deadline, 100, 600000),
      DurationKnob("connect_timeout_ms", &T::connect_timeout, 1, 60000),
      DurationKnob("try_timeout_ms", &T::try_timeout, 1, 300000),
      DurationKnob("verification_ttl_s", &T::verification_ttl, 1, 86400),
  };
  return kKnobs;
}

RouterTuning ReadRouterSection(const ConfigDocument& doc, ConfigDiagnostics& diag) {
  RouterTuning tuning;
  std::vector<std::string> keys;
  for (const RouterKnob& knob : RouterKnobs()) keys.push_back(knob.key);
  SectionReader router(doc.Section("router"), doc.AbsentSection("router"), doc.syntax, keys, diag);
  for (const RouterKnob& knob : RouterKnobs()) {
    switch (knob.kind) {
      case Kind::kInteger:
        if (auto v = router.Integer(knob.key, static_cast<long long>(knob.min), static_cast<long long>(knob.max))) {
          knob.set(tuning, static_cast<double>(*v));
        }
        break;
      case Kind::kNumber:
        if (auto v = router.Number(knob.key, knob.min, knob.max)) knob.set(tuning, *v);
        break;
      case Kind::kBool:
        if (auto v = router.Bool(knob.key)) knob.set(tuning, *v ? 1 : 0);
        break;
    }
  }
  // Orderings between knobs; each names both keys and their values.
  auto require_order = [&](const char* low_key, double low, const char* high_key, double high, const char* why) {
    if (low <= high) return;
    router.Error(high_key, std::string(high_key) + " (" + std::to_string(static_cast<long long>(high)) +
                               ") is less than " + low_key + " (" + std::to_string(static_cast<long long>(low)) +
                               "); " + why,
                 std::string("a value >= ") + low_key);
  };
  require_order("hedge_delay_floor_ms", tuning.hedge_delay_floor.count(), "hedge_delay_cap_ms",
                tuning.hedge_delay_cap.count(), "the hedge delay is clamped to [floor, cap]");
  require_order("probe_interval_ms", tuning.probe_interval.count(), "probe_interval_max_ms",
                tuning.probe_interval_max.count(), "probes back off from the interval up to the maximum");
  require_order("retry_base_delay_ms", tuning.retry_base_delay.count(), "retry_max_delay_ms",
                tuning.retry_max_delay.count(), "retry delays grow from the base up to the maximum");
  require_order("connect_timeout_ms", tuning.connect_timeout.count(), "try_timeout_ms", tuning.try_timeout.count(),
                "connecting is part of a try");
  require_order("try_timeout_ms", tuning.try_timeout.count(), "operation_deadline_ms",
                tuning.operation_deadline.count(), "a try must fit in the operation deadline");
  return tuning;
}

}  // namespace geoekm
