#include "provider/drill/failover_drill.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "core/error_codes.h"

namespace geoekm {
namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<SecureBytes> RandomDek() {
  SecureBytes dek(32);
  if (RAND_bytes(dek.data(), static_cast<int>(dek.size())) != 1) {
    return Status(codes::kProviderError, ErrorClass::kInternal, "no random bytes from OpenSSL for a test DEK");
  }
  return dek;
}

struct WrappedDek {
  SecureBytes plaintext;
  WrappedKey wrapped;
};

LatencySummary Summarise(std::vector<std::chrono::milliseconds> samples, int failures) {
  LatencySummary s;
  s.count = static_cast<int>(samples.size());
  s.failures = failures;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) { return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))]; };
  s.p50 = at(0.50);
  s.p95 = at(0.95);
  s.max = samples.back();
  return s;
}

class Drill {
 public:
  Drill(VaultSetRuntime& rt, const DrillOptions& options) : rt_(rt), options_(options) {}

  DrillResult Run() {
    result_.started_ms = NowMs();
    result_.key_name = rt_.config().provider.key_names.front();
    result_.primary = options_.primary.empty() ? rt_.config().vaults.front().name : options_.primary;
    const Deadline check_deadline = Deadline::After(rt_.config().router.operation_deadline);

    // Phase 1: every vault holds the current version.
    Begin("key check");
    auto current = rt_.router().CurrentVersion(result_.key_name, check_deadline);
    if (!current.ok()) {
      Check("current key version readable", false, current.status().ToString());
      End();
      return result_;
    }
    result_.thumbprint = current->thumbprint;
    auto located = rt_.router().Locate(result_.key_name, result_.thumbprint, check_deadline);
    bool everywhere = located.ok() && located->missing_in.empty() && located->unknown_in.empty() &&
                      located->held_by.size() == rt_.config().vaults.size();
    std::string where;
    if (located.ok()) {
      for (const auto& h : located->held_by) where += h.vault + " (version " + h.version + ") ";
      for (const auto& m : located->missing_in) where += m + " (MISSING) ";
      for (const auto& u : located->unknown_in) where += u + " (unreachable) ";
      for (const auto& q : located->quarantined) where += q + " (QUARANTINED: other key material) ";
    } else {
      where = located.status().ToString();
    }
    Check("every vault holds the current key version", everywhere, where);
    End();

    // Phase 2: wrap and unwrap N DEKs.
    Begin("wrap " + std::to_string(options_.deks) + " DEKs");
    std::vector<std::chrono::milliseconds> wrap_latencies;
    int wrap_failures = 0;
    std::string first_wrap_error;
    for (int i = 0; i < options_.deks; ++i) {
      Result<SecureBytes> dek = RandomDek();
      if (!dek.ok()) {
        ++wrap_failures;
        if (first_wrap_error.empty()) first_wrap_error = dek.status().ToString();
        continue;
      }
      WrappedDek d{std::move(dek).value(), {}};
      auto t0 = Clock::now();
      auto w = rt_.router().Wrap(result_.key_name, WrapAlgorithmFromConfig(), d.plaintext,
                                 Deadline::After(rt_.config().router.operation_deadline));
      wrap_latencies.push_back(std::chrono::duration_cast<Millis>(Clock::now() - t0));
      if (!w.ok()) {
        ++wrap_failures;
        if (first_wrap_error.empty()) first_wrap_error = w.status().ToString();
        continue;
      }
      d.wrapped = std::move(w).value();
      deks_.push_back(std::move(d));
    }
    Current().latency = Summarise(wrap_latencies, wrap_failures);
    Check("all DEKs wrapped", wrap_failures == 0,
          std::to_string(deks_.size()) + "/" + std::to_string(options_.deks) + " wrapped" +
              (first_wrap_error.empty() ? "" : "; first error: " + first_wrap_error));
    End();
    if (deks_.empty()) return result_;

    Begin("unwrap all (baseline)");
    int ok = UnwrapAll();
    Check("baseline: every DEK unwraps to its plaintext", ok == static_cast<int>(deks_.size()),
          std::to_string(ok) + "/" + std::to_string(deks_.size()));
    End();

    if (options_.outage_command.empty()) {
      Check("outage phases", true, "skipped: no --outage-command given");
      return result_;
    }

    // Phase 3: outage.
    Begin("outage of " + result_.primary + ": unwrap all");
    int rc = std::system(options_.outage_command.c_str());
    Check("outage command ran", rc == 0, "exit status " + std::to_string(rc));
    ok = UnwrapAll();
    Check("during the outage every DEK unwraps", ok == static_cast<int>(deks_.size()),
          std::to_string(ok) + "/" + std::to_string(deks_.size()) + " through the remaining vaults");
    End();
    Check("during the outage the primary served nothing", ServedBy(Current(), result_.primary) == 0,
          "successful vault calls on " + result_.primary + ": " +
              std::to_string(ServedBy(Current(), result_.primary)));

    // Phase 4: recovery and failback.
    Begin("recover " + result_.primary + ", wait for failback");
    rc = std::system(options_.recover_command.c_str());
    Check("recover command ran", rc == 0, "exit status " + std::to_string(rc));
    auto t0 = Clock::now();
    bool back = false;
    while (Clock::now() - t0 < options_.failback_timeout) {
      if (rt_.router().HealthOf(result_.primary) == VaultHealthState::kHealthy) {
        back = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    result_.time_to_failback = std::chrono::duration_cast<Millis>(Clock::now() - t0);
    Check("router failed back to the primary on its own", back,
          back ? "healthy again after " + std::to_string(result_.time_to_failback.count()) + " ms"
               : "still " + std::string(VaultHealthStateName(rt_.router().HealthOf(result_.primary))) + " after " +
                     std::to_string(options_.failback_timeout.count()) + " s");
    End();

    // Phase 5: traffic is back on the primary.
    Begin("after failback: unwrap all");
    ok = UnwrapAll();
    Check("after failback every DEK unwraps", ok == static_cast<int>(deks_.size()),
          std::to_string(ok) + "/" + std::to_string(deks_.size()));
    End();
    const auto& last = Current();
    std::int64_t total = 0;
    for (const auto& [vault, n] : last.served_by) total += n;
    Check("after failback the primary serves the unwraps", back && ServedBy(last, result_.primary) * 2 > total,
          std::to_string(ServedBy(last, result_.primary)) + " of " + std::to_string(total) +
              " successful vault calls on " + result_.primary);
    return result_;
  }

 private:
  WrapAlgorithm WrapAlgorithmFromConfig() const {
    return rt_.config().provider.wrap_algorithm;
  }

  // Unwraps every DEK with `concurrency` threads, as a SQL Server failover
  // opens its databases at once. Returns how many matched their plaintext.
  int UnwrapAll() {
    std::atomic<std::size_t> next{0};
    std::atomic<int> matched{0};
    std::atomic<int> failed{0};
    std::mutex mu;
    std::vector<std::chrono::milliseconds> latencies;
    std::string first_error;
    auto worker = [&] {
      for (std::size_t i = next++; i < deks_.size(); i = next++) {
        const WrappedDek& d = deks_[i];
        UnwrapRequest req;
        req.key_name = d.wrapped.key_name;
        req.thumbprint = d.wrapped.thumbprint;
        req.algorithm = d.wrapped.algorithm;
        req.wrapped = d.wrapped.wrapped;
        auto t0 = Clock::now();
        auto plain = rt_.router().Unwrap(req, Deadline::After(rt_.config().router.operation_deadline));
        auto took = std::chrono::duration_cast<Millis>(Clock::now() - t0);
        std::lock_guard<std::mutex> lock(mu);
        latencies.push_back(took);
        if (plain.ok() && *plain == d.plaintext) {
          ++matched;
        } else {
          ++failed;
          if (first_error.empty()) first_error = plain.ok() ? "plaintext mismatch" : plain.status().ToString();
        }
      }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::max(1, options_.concurrency); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    Current().latency = Summarise(latencies, failed.load());
    if (!first_error.empty()) Current().name += " (first error: " + first_error + ")";
    return matched.load();
  }

  void Begin(std::string name) {
    DrillPhase p;
    p.name = std::move(name);
    p.started_ms = NowMs();
    result_.phases.push_back(std::move(p));
  }

  void End() {
    DrillPhase& p = Current();
    p.ended_ms = NowMs();
    (void)rt_.store().FlushAudit();
    auto rows = rt_.store().AuditSince(p.started_ms, 1'000'000);
    if (!rows.ok()) return;
    std::map<std::string, std::int64_t> by_vault;
    for (const AuditRow& r : *rows) {
      if (r.time_ms > p.ended_ms) continue;
      if ((r.operation.op == VaultCall::kUnwrap || r.operation.op == VaultCall::kWrap) &&
          r.operation.outcome_code == 0) {
        ++by_vault[r.operation.vault];
      }
    }
    p.served_by.assign(by_vault.begin(), by_vault.end());
  }

  DrillPhase& Current() { return result_.phases.back(); }

  static std::int64_t ServedBy(const DrillPhase& p, const std::string& vault) {
    for (const auto& [v, n] : p.served_by) {
      if (v == vault) return n;
    }
    return 0;
  }

  void Check(std::string name, bool passed, std::string detail) {
    result_.checks.push_back(DrillCheck{std::move(name), passed, std::move(detail)});
  }

  VaultSetRuntime& rt_;
  const DrillOptions options_;
  DrillResult result_;
  std::vector<WrappedDek> deks_;
};

}  // namespace

bool DrillResult::passed() const {
  if (checks.empty()) return false;
  return std::all_of(checks.begin(), checks.end(), [](const DrillCheck& c) { return c.passed; });
}

DrillResult RunFailoverDrill(VaultSetRuntime& runtime, const DrillOptions& options) {
  return Drill(runtime, options).Run();
}

}  // namespace geoekm
