#include "provider/drill/drill_report.h"

#include <ctime>
#include <iomanip>
#include <sstream>

namespace geoekm {
namespace {

std::string Utc(std::int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%Y-%m-%d %H:%M:%S") << "Z";
  return s.str();
}

std::string Offset(std::int64_t ms, std::int64_t since_ms) {
  std::ostringstream s;
  s << "+" << std::fixed << std::setprecision(1) << static_cast<double>(ms - since_ms) / 1000.0 << "s";
  return s.str();
}

std::string Opt(const std::optional<std::int64_t>& ms) { return ms ? Utc(*ms) : "unknown"; }

}  // namespace

void PrintDrillReport(const DrillResult& r, StateStore& store, std::ostream& out) {
  out << "\n=== geoekm failover drill ===\n";
  out << "through      " << r.through << "\n";
  out << "key          " << r.key_name << "\n";
  out << "thumbprint   " << (r.thumbprint.empty() ? "(unknown)" : r.thumbprint) << "  (RFC 7638)\n";
  out << "primary      " << r.primary << "\n";
  out << "started      " << Utc(r.started_ms) << "\n";

  out << "\n--- phases ---\n";
  for (const DrillPhase& p : r.phases) {
    out << std::left << std::setw(8) << Offset(p.started_ms, r.started_ms) << " " << p.name << "\n";
    if (p.latency.count > 0) {
      out << "         " << p.latency.count << " ops, " << p.latency.failures << " failed; latency p50 "
          << p.latency.p50.count() << " ms, p95 " << p.latency.p95.count() << " ms, max " << p.latency.max.count()
          << " ms\n";
    }
    if (!p.served_by.empty()) {
      out << "         served by:";
      for (const auto& [vault, n] : p.served_by) out << " " << vault << "=" << n;
      out << "\n";
    }
  }

  out << "\n--- health changes recorded in the state store ---\n";
  auto events = store.HealthEventsSince(r.started_ms);
  if (!events.ok()) {
    out << "  (cannot read: " << events.status().ToString() << ")\n";
  } else if (events->empty()) {
    out << "  none\n";
  } else {
    for (const HealthEventRecord& e : *events) {
      const VaultHealthEvent& t = e.transition;
      out << "  " << std::left << std::setw(8) << Offset(e.time_ms, r.started_ms) << " " << std::setw(10) << t.vault
          << " " << VaultHealthStateName(t.from) << " -> " << VaultHealthStateName(t.to);
      if (t.error_code != 0) out << "  [error " << t.error_code << "]";
      if (!t.reason.empty()) out << "  " << t.reason;
      out << "\n";
    }
  }

  out << "\n--- state store writes (off the request path) ---\n";
  if (const auto& w = r.state_writer) {
    out << "  " << w->written << " written, " << w->failed << " failed, " << w->audit_rows_coalesced
        << " audit rows coalesced (writer queue full; written as summary rows with their count), deepest queue "
        << w->max_queue_depth << ", " << w->batch_retries << " failed batches retried record by record\n";
  } else {
    out << "  by the library's own writer thread, behind the SQL Crypto API (its counters are not\n"
           "  visible to the engine); the phases' \"served by\" above are the audit rows it wrote\n";
  }

  out << "\n--- key history of '" << r.key_name << "' ---\n";
  auto history = store.KeyHistory(r.key_name);
  if (history.ok()) {
    for (const KeyVersionRecord& v : *history) {
      out << "  " << v.thumbprint << "  " << v.kty << " " << v.size_bits << "  first wrap " << Opt(v.first_wrap_ms)
          << ", last wrap " << Opt(v.last_wrap_ms) << "\n";
      auto copies = store.CopiesOfVersion(v.thumbprint);
      if (!copies.ok()) continue;
      for (const VaultKeyCopyRecord& c : *copies) {
        out << "      " << std::left << std::setw(10) << c.vault << " " << std::setw(11) << CopyStatusName(c.status)
            << " version " << c.version_id;
        if (c.last_verified_ms) out << ", verified " << Utc(*c.last_verified_ms);
        out << "\n";
      }
    }
  }
  auto missing = store.MissingVersions(r.key_name);
  if (missing.ok() && !missing->empty()) {
    out << "  versions not (provably) held:\n";
    for (const MissingVersion& m : *missing) out << "      " << m.vault << " lacks " << m.thumbprint << "\n";
  }

  out << "\n--- checks ---\n";
  for (const DrillCheck& c : r.checks) {
    out << "  [" << (c.passed ? "PASS" : "FAIL") << "] " << c.name;
    if (!c.detail.empty()) out << " — " << c.detail;
    out << "\n";
  }
  out << "\nverdict: " << (r.passed() ? "PASS" : "FAIL") << "\n";
}

}  // namespace geoekm
