#include "replication/history_verification.h"

#include <set>

#include "core/error_codes.h"
#include "provider/runtime/vault_set_runtime.h"
#include "replication/copy_rules.h"
#include "replication/public_key_wrap.h"
#include "state/missing_versions_message.h"

namespace geoekm {
namespace {

Deadline CallDeadline() { return Deadline::After(std::chrono::seconds(30)); }

WrapAlgorithm ConfiguredAlgorithm(const VaultSetConfig& config) {
  return config.provider.wrap_algorithm == "RSA-OAEP" ? WrapAlgorithm::kRsaOaep : WrapAlgorithm::kRsaOaep256;
}

bool Overlaps(const VersionVerification& v, const HistoryVerificationOptions& window) {
  // Unknown use (no wrap recorded) always counts: it may protect any backup.
  if (window.to_ms && v.use_from_ms && *v.use_from_ms > *window.to_ms) return false;
  if (window.from_ms && v.use_to_ms && *v.use_to_ms < *window.from_ms) return false;
  return true;
}

std::string KnownKid(const KeyInventory& inv, const HistoricVersion& h) {
  for (const VaultHoldings& v : inv.vaults) {
    for (const VersionCopy* c : v.CopiesOf(h.version.thumbprint)) return c->kid;
  }
  for (const VaultKeyCopyRecord& r : h.recorded_copies) {
    if (!r.kid.empty()) return r.kid;
  }
  return "";
}

}  // namespace

Result<HistoryVerificationReport> VerifyHistory(VaultSetRuntime& runtime, const std::string& key_name,
                                                const HistoryVerificationOptions& options) {
  InventoryOptions inventory_options;
  inventory_options.vaults = options.vaults;
  inventory_options.progress = options.progress;
  auto inventory = TakeKeyInventory(runtime, key_name, inventory_options);
  if (!inventory.ok()) return inventory.status();
  HistoryVerificationReport report;
  report.inventory = std::move(inventory).value();
  report.window = options;
  report.window.progress = nullptr;
  const KeyInventory& inv = report.inventory;
  const WrapAlgorithm alg = ConfiguredAlgorithm(runtime.config());
  const std::string& client_id = runtime.config().auth.client_id;
  auto canary = RandomCanary();
  if (!canary.ok()) return canary.status();

  std::vector<ReplicationFinding>& findings = report.findings;
  std::vector<MissingVersion> unavailable;  // (vault, version) pairs a restore could not use
  std::set<std::string> vault_level_reported, permission_reported;
  for (const VaultHoldings& v : inv.vaults) {
    if (!v.readable()) {
      findings.push_back(VaultUnreadableFinding(v));
      vault_level_reported.insert(v.vault.name);
    } else if (v.deleted) {
      findings.push_back(KeyDeletedFinding(v, key_name));
      vault_level_reported.insert(v.vault.name);
    }
  }
  for (const HistoricVersion& h : inv.history) {
    VersionVerification vv;
    vv.history = h;
    vv.use_from_ms = h.version.first_wrap_ms;
    vv.use_to_ms = h.version.last_wrap_ms ? h.version.last_wrap_ms : h.version.first_wrap_ms;
    if (!Overlaps(vv, options)) continue;
    vv.known_kid = KnownKid(inv, h);
    const std::string& t = h.version.thumbprint;
    auto wrapped = WrapWithPublicKey(h.version.n, h.version.e, alg, *canary);
    for (const VaultHoldings& v : inv.vaults) {
      VaultVersionCheck check;
      check.vault = v.vault.name;
      const std::size_t findings_before = findings.size();
      bool failing = vault_level_reported.count(v.vault.name) > 0;
      const VersionCopy* best = failing ? nullptr : BestCopy(v, t);
      if (!failing && !best) {
        ReplicationFinding f = VersionMissingFinding(v, key_name, t, VersionRole::kHistoric, {});
        f.reason += vv.known_kid.empty() ? "" : " — the version's kid elsewhere: " + vv.known_kid;
        findings.push_back(std::move(f));
      } else if (best) {
        check.held = true;
        check.version = best->version;
        check.kid = best->kid;
        AppendCopyFindings(v, key_name, *best, t, VersionRole::kHistoric, inv.taken_unix_s, 0, findings);
        Status unwrap_status = wrapped.ok() ? Status() : wrapped.status();
        if (wrapped.ok()) {
          auto u = runtime.vault(v.vault.name)->UnwrapKey(key_name, best->version, alg, *wrapped, CallDeadline());
          if (u.ok() && *u == *canary) {
            check.canary_ok = true;
          } else {
            unwrap_status = u.ok() ? Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                                            "unwrapped to other bytes than the canary: other key material")
                                         .WithVault(v.vault.name)
                                   : u.status();
          }
        }
        if (!check.canary_ok) {
          check.canary_status = unwrap_status;
          if (MissingPermission(unwrap_status)) {
            if (permission_reported.insert(v.vault.name).second) {
              findings.push_back(PermissionFinding(v, "unwrapKey", unwrap_status, client_id));
            }
          } else if (!ExplainedByCopyRules(unwrap_status) || findings.size() == findings_before) {
            findings.push_back(CanaryFinding(v, t, best,
                                             "a canary wrapped with the historic version's public key did not "
                                             "unwrap in " + v.vault.name,
                                             unwrap_status));
          }
        }
      }
      failing = failing || findings.size() != findings_before || !check.canary_ok;
      if (failing) {
        unavailable.push_back(
            MissingVersion{v.vault.name, t, key_name, h.version.created, h.version.first_seen_ms, std::nullopt});
      }
      vv.vaults.push_back(std::move(check));
    }
    report.versions.push_back(std::move(vv));
  }
  for (const VaultHoldings& v : inv.vaults) {
    if (auto message = FormatMissingVersionsMessage(v.vault.name, unavailable)) {
      report.target_server_messages[v.vault.name] = *message;
    }
  }
  report.fix_order = FixOrder(inv, findings);
  return report;
}

}  // namespace geoekm
