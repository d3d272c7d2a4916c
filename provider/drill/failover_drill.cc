#include "provider/drill/failover_drill.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/deadline.h"
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
  Bytes wrapped;
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
  Drill(DrillKeyPath& path, const VaultSetConfig& config, const DrillOptions& options)
      : path_(path), config_(config), options_(options) {}

  DrillResult Run() {
    result_.started_ms = NowMs();
    result_.through = path_.description();
    result_.key_name = config_.provider.key_names.front();
    result_.primary = options_.primary.empty() ? config_.vaults.front().name : options_.primary;
    RunPhases();
    // Every call is done: what the vault set recorded can be read now.
    Status finished = path_.Finish();
    Check("the vault set shut down with everything recorded", finished.ok(),
          finished.ok() ? "" : finished.ToString());
    result_.state_writer = path_.writer_stats();
    CheckRecord(path_.store());
    return result_;
  }

 private:
  void RunPhases() {
    // Phase 1: the key by name, as CREATE ASYMMETRIC KEY opens it.
    Begin("key check");
    auto opened = path_.OpenKey(result_.key_name);
    Check("current key version opened by name", opened.ok(),
          opened.ok() ? "RSA " + std::to_string(opened->size_bits) : opened.status().ToString());
    End();
    if (!opened.ok()) return;
    result_.thumbprint = opened->thumbprint;

    // Phase 2: wrap and unwrap N DEKs.
    Begin("wrap " + std::to_string(options_.deks) + " DEKs");
    std::vector<std::chrono::milliseconds> wrap_latencies;
    int wrap_failures = 0;
    std::string first_wrap_error;
    {  // one engine thread; its session ends with the block
      auto caller = path_.NewCaller();
      for (int i = 0; caller.ok() && i < options_.deks; ++i) {
        Result<SecureBytes> dek = RandomDek();
        if (!dek.ok()) {
          ++wrap_failures;
          if (first_wrap_error.empty()) first_wrap_error = dek.status().ToString();
          continue;
        }
        WrappedDek d{std::move(dek).value(), {}};
        auto t0 = Clock::now();
        auto w = (*caller)->Wrap(d.plaintext);
        wrap_latencies.push_back(std::chrono::duration_cast<Millis>(Clock::now() - t0));
        if (!w.ok()) {
          ++wrap_failures;
          if (first_wrap_error.empty()) first_wrap_error = w.status().ToString();
          continue;
        }
        d.wrapped = std::move(w).value();
        deks_.push_back(std::move(d));
      }
      if (!caller.ok()) first_wrap_error = caller.status().ToString();
    }
    Current().latency = Summarise(wrap_latencies, wrap_failures);
    Check("all DEKs wrapped", wrap_failures == 0 && static_cast<int>(deks_.size()) == options_.deks,
          std::to_string(deks_.size()) + "/" + std::to_string(options_.deks) + " wrapped" +
              (first_wrap_error.empty() ? "" : "; first error: " + first_wrap_error));
    End();
    if (deks_.empty()) return;

    Begin("unwrap all (baseline)");
    int ok = UnwrapAll();
    Check("baseline: every DEK unwraps to its plaintext", ok == static_cast<int>(deks_.size()),
          std::to_string(ok) + "/" + std::to_string(deks_.size()));
    End();

    if (options_.outage_command.empty()) {
      Check("outage phases", true, "skipped: no --outage-command given");
      return;
    }

    // Phase 3: outage.
    Begin("outage of " + result_.primary + ": unwrap all");
    outage_phase_ = result_.phases.size() - 1;
    int rc = std::system(options_.outage_command.c_str());
    Check("outage command ran", rc == 0, "exit status " + std::to_string(rc));
    ok = UnwrapAll();
    Check("during the outage every DEK unwraps", ok == static_cast<int>(deks_.size()),
          std::to_string(ok) + "/" + std::to_string(deks_.size()) + " through the remaining vaults");
    End();

    // Phase 4: recovery and failback.
    Begin("recover " + result_.primary + ", wait for failback");
    rc = std::system(options_.recover_command.c_str());
    Check("recover command ran", rc == 0, "exit status " + std::to_string(rc));
    auto t0 = Clock::now();
    failed_back_ = false;
    std::optional<VaultHealthState> health;
    while (Clock::now() - t0 < options_.failback_timeout) {
      health = path_.HealthOf(result_.primary);
      if (health == VaultHealthState::kHealthy) {
        failed_back_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    result_.time_to_failback = std::chrono::duration_cast<Millis>(Clock::now() - t0);
    Check("failed back to the primary on its own", failed_back_,
          failed_back_ ? "healthy again after " + std::to_string(result_.time_to_failback.count()) + " ms"
                       : "still " + std::string(health ? VaultHealthStateName(*health) : "unknown") + " after " +
                             std::to_string(options_.failback_timeout.count()) + " s");
    End();

    // Phase 5: traffic is back on the primary.
    Begin("after failback: unwrap all");
    after_failback_phase_ = result_.phases.size() - 1;
    ok = UnwrapAll();
    Check("after failback every DEK unwraps", ok == static_cast<int>(deks_.size()),
          std::to_string(ok) + "/" + std::to_string(deks_.size()));
    End();
  }

  // The checks that need what the vault set recorded (after Finish).
  void CheckRecord(StateStore& store) {
    (void)store.FlushAudit();
    for (DrillPhase& p : result_.phases) p.served_by = ServedBy(store, p);
    if (!result_.thumbprint.empty()) CheckCopies(store);
    if (outage_phase_) {
      const DrillPhase& outage = result_.phases[*outage_phase_];
      Check("during the outage the primary served nothing", CallsOn(outage, result_.primary) == 0,
            "successful vault calls on " + result_.primary + ": " +
                std::to_string(CallsOn(outage, result_.primary)));
    }
    if (after_failback_phase_) {
      const DrillPhase& last = result_.phases[*after_failback_phase_];
      std::int64_t total = 0;
      for (const auto& [vault, n] : last.served_by) total += n;
      Check("after failback the primary serves the unwraps",
            failed_back_ && CallsOn(last, result_.primary) * 2 > total,
            std::to_string(CallsOn(last, result_.primary)) + " of " + std::to_string(total) +
                " successful vault calls on " + result_.primary);
    }
  }

  // Every configured vault's copy of the drill's key version was read and
  // its thumbprint recomputed during the drill (the router checks every
  // vault holds a version before it wraps with it).
  void CheckCopies(StateStore& store) {
    auto copies = store.CopiesOfVersion(result_.thumbprint);
    if (!copies.ok()) {
      Check("every vault holds the current key version", false, copies.status().ToString());
      return;
    }
    bool everywhere = true;
    std::string where;
    for (const VaultConfig& v : config_.vaults) {
      auto c = std::find_if(copies->begin(), copies->end(), [&](const auto& r) { return r.vault == v.name; });
      const bool verified = c != copies->end() && c->status == CopyStatus::kVerified && c->last_verified_ms &&
                            *c->last_verified_ms >= result_.started_ms;
      everywhere = everywhere && verified;
      if (c == copies->end()) {
        where += v.name + " (no copy recorded) ";
      } else if (verified) {
        where += v.name + " (version " + c->version_id + ") ";
      } else if (c->status == CopyStatus::kQuarantined || c->status == CopyStatus::kMismatch) {
        where += v.name + " (QUARANTINED: other key material) ";
      } else if (c->status == CopyStatus::kMissing) {
        where += v.name + " (MISSING) ";
      } else {
        where += v.name + " (" + std::string(CopyStatusName(c->status)) + ", not verified during the drill) ";
      }
    }
    Check("every vault holds the current key version", everywhere, where);
  }

  // Unwraps every DEK with `concurrency` threads, each an engine thread of
  // its own, as a SQL Server failover opens its databases at once. Returns
  // how many matched their plaintext.
  int UnwrapAll() {
    std::atomic<std::size_t> next{0};
    std::atomic<int> matched{0};
    std::atomic<int> failed{0};
    std::mutex mu;
    std::vector<std::chrono::milliseconds> latencies;
    std::string first_error;
    auto worker = [&] {
      auto caller = path_.NewCaller();
      for (std::size_t i = next++; i < deks_.size(); i = next++) {
        const WrappedDek& d = deks_[i];
        auto t0 = Clock::now();
        Result<SecureBytes> plain = caller.ok() ? (*caller)->Unwrap(d.wrapped) : Result<SecureBytes>(caller.status());
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
    // Audit rows carry their call's start in ms: phases never share one,
    // so a row counts for exactly one phase.
    while (!result_.phases.empty() && p.started_ms <= result_.phases.back().ended_ms) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      p.started_ms = NowMs();
    }
    result_.phases.push_back(std::move(p));
  }

  void End() { Current().ended_ms = NowMs(); }

  // Successful wraps and unwraps per vault whose call started within the phase.
  static std::vector<std::pair<std::string, std::int64_t>> ServedBy(StateStore& store, const DrillPhase& p) {
    auto rows = store.AuditSince(p.started_ms, 1'000'000);
    if (!rows.ok()) return {};
    std::map<std::string, std::int64_t> by_vault;
    for (const AuditRow& r : *rows) {
      if (r.time_ms > p.ended_ms) continue;
      if ((r.operation.op == VaultCall::kUnwrap || r.operation.op == VaultCall::kWrap) &&
          r.operation.outcome_code == 0) {
        by_vault[r.operation.vault] += r.operation.count;  // a summary row stands for several calls
      }
    }
    return {by_vault.begin(), by_vault.end()};
  }

  DrillPhase& Current() { return result_.phases.back(); }

  static std::int64_t CallsOn(const DrillPhase& p, const std::string& vault) {
    for (const auto& [v, n] : p.served_by) {
      if (v == vault) return n;
    }
    return 0;
  }

  void Check(std::string name, bool passed, std::string detail) {
    result_.checks.push_back(DrillCheck{std::move(name), passed, std::move(detail)});
  }

  DrillKeyPath& path_;
  const VaultSetConfig& config_;
  const DrillOptions options_;
  DrillResult result_;
  std::vector<WrappedDek> deks_;
  std::optional<std::size_t> outage_phase_;
  std::optional<std::size_t> after_failback_phase_;
  bool failed_back_ = false;
};

}  // namespace

bool DrillResult::passed() const {
  if (checks.empty()) return false;
  return std::all_of(checks.begin(), checks.end(), [](const DrillCheck& c) { return c.passed; });
}

DrillResult RunFailoverDrill(DrillKeyPath& path, const VaultSetConfig& config, const DrillOptions& options) {
  return Drill(path, config, options).Run();
}

}  // namespace geoekm
