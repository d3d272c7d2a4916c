#include "replication/vault_status.h"

#include <algorithm>
#include <ctime>
#include <utility>
#include <vector>

#include "provider/runtime/vault_set_runtime.h"
#include "replication/copy_rules.h"

namespace geoekm {
namespace {

// Latencies with the number of calls each stands for (an audit row may
// summarise calls coalesced under overload, at their mean latency), sorted.
using WeightedLatencies = std::vector<std::pair<std::int64_t, std::int64_t>>;

std::int64_t Percentile(const WeightedLatencies& sorted, std::int64_t calls, double p) {
  const auto rank = static_cast<std::int64_t>(p * static_cast<double>(calls - 1) + 0.5);
  std::int64_t seen = 0;
  for (const auto& [latency, count] : sorted) {
    seen += count;
    if (seen > rank) return latency;
  }
  return sorted.back().first;
}

}  // namespace

Result<VaultStatusReport> ReadVaultStatus(VaultSetRuntime& runtime, const std::string& key_name,
                                          std::chrono::minutes audit_window) {
  auto inventory = TakeKeyInventory(runtime, key_name);
  if (!inventory.ok()) return inventory.status();
  StateStore& store = runtime.store();
  auto recorded = store.Vaults();
  if (!recorded.ok()) return recorded.status();
  const std::int64_t now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
  auto audit = store.AuditSince(now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(audit_window).count(),
                                1'000'000);
  if (!audit.ok()) return audit.status();

  VaultStatusReport report;
  report.key_name = key_name;
  report.audit_window = audit_window;
  for (const VaultHoldings& v : inventory->vaults) {
    const VersionCopy* latest = v.readable() ? v.Latest() : nullptr;
    if (latest && latest->material_read()) {
      report.current_thumbprint = latest->thumbprint;
      break;
    }
  }
  for (const VaultHoldings& v : inventory->vaults) {
    VaultStatus s;
    s.vault = v.vault;
    for (const VaultRecord& r : *recorded) {
      if (r.name == v.vault.name) {
        s.health = r.health;
        s.health_since_ms = r.health_since_ms;
      }
    }
    WeightedLatencies latencies;
    for (const AuditRow& row : *audit) {
      if (row.operation.vault != v.vault.name) continue;
      latencies.emplace_back(row.operation.latency.count(), row.operation.count);
      s.calls += row.operation.count;
      if (row.operation.outcome_code != 0) s.last_error = row;  // rows come oldest first
    }
    if (!latencies.empty()) {
      std::sort(latencies.begin(), latencies.end());
      s.latency_p50_ms = Percentile(latencies, s.calls, 0.50);
      s.latency_p95_ms = Percentile(latencies, s.calls, 0.95);
    }
    s.read_status = v.status;
    s.versions_held = static_cast<int>(v.versions.size());
    if (const VersionCopy* c = BestCopy(v, report.current_thumbprint)) {
      s.current_version = c->version;
      s.current_exp = c->attributes.exp;
      if (c->attributes.exp) {
        const std::int64_t left = *c->attributes.exp - inventory->taken_unix_s;
        s.days_to_expiry = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
      }
    }
    report.vaults.push_back(std::move(s));
  }
  return report;
}

}  // namespace geoekm
