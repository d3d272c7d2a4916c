#include "replication/geo_link_check.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error_codes.h"
#include "provider/runtime/vault_set_runtime.h"
#include "replication/copy_rules.h"
#include "replication/public_key_wrap.h"

namespace geoekm {
namespace {

Deadline CallDeadline() { return Deadline::After(std::chrono::seconds(30)); }

WrapAlgorithm ConfiguredAlgorithm(const VaultSetConfig& config) {
  return config.provider.wrap_algorithm == "RSA-OAEP" ? WrapAlgorithm::kRsaOaep : WrapAlgorithm::kRsaOaep256;
}

// Which vaults hold `thumbprint`.
std::vector<std::string> Holders(const KeyInventory& inv, const std::string& thumbprint) {
  std::vector<std::string> out;
  for (const VaultHoldings& v : inv.vaults) {
    if (!v.CopiesOf(thumbprint).empty()) out.push_back(v.vault.name);
  }
  return out;
}

// The material rules: each vault holds every required version, and nothing else.
void CheckMaterial(const GeoLinkReport& report, const std::vector<std::string>& required, std::int64_t window_s,
                   std::vector<ReplicationFinding>& findings) {
  const KeyInventory& inv = report.inventory;
  const std::set<std::string> required_set(required.begin(), required.end());
  for (const VaultHoldings& v : inv.vaults) {
    if (!v.readable()) {
      findings.push_back(VaultUnreadableFinding(v));
      continue;
    }
    if (v.deleted) {
      findings.push_back(KeyDeletedFinding(v, inv.key_name));
      continue;
    }
    for (const std::string& t : required) {
      const VersionRole role = t == report.current_thumbprint ? VersionRole::kCurrent : VersionRole::kHistoric;
      const VersionCopy* best = BestCopy(v, t);
      if (!best) {
        findings.push_back(VersionMissingFinding(v, inv.key_name, t, role, Holders(inv, t)));
        continue;
      }
      AppendCopyFindings(v, inv.key_name, *best, t, role, inv.taken_unix_s, window_s, findings);
    }
    for (const VersionCopy& c : v.versions) {
      if (c.thumbprint.empty()) {
        if (!c.enabled()) continue;  // unreadable because disabled, and in no history: nothing uses it
        ReplicationFinding f;
        f.vault = v.vault.name;
        f.kind = FindingKind::kMaterialUnreadable;
        f.version = c.version;
        f.status = c.read_status;
        f.reason = "version " + c.version + " in vault " + v.vault.name + " could not be read (" +
                   c.read_status.ToString() + "): whether it holds the same material is unknown";
        f.azure_error = std::string(kSameKeyMaterialNotFound) + " if it is other material";
        f.fix = "grant the identity 'get' on keys and run the check again";
        findings.push_back(std::move(f));
      } else if (!required_set.count(c.thumbprint)) {
        ReplicationFinding f;
        f.vault = v.vault.name;
        f.kind = FindingKind::kOtherMaterial;
        f.thumbprint = c.thumbprint;
        f.version = c.version;
        const bool latest = c.version == v.latest_version;
        f.reason = "vault " + v.vault.name + " holds other key material under '" + inv.key_name + "' (version " +
                   c.version + ", thumbprint " + c.thumbprint + "): in no history and not the current version" +
                   (latest ? "; it is this vault's newest version" : "");
        f.azure_error = std::string(kSameKeyMaterialNotFound) +
                        (latest ? ": a server taking this vault's newest version would use material the other "
                                  "vaults do not have"
                                : " for any database protected by it");
        f.fix = "find out who added version " + c.version +
                "; geoekm never deletes or disables it. If it is not yours, disable it once nothing uses it "
                "(az keyvault key set-attributes --vault-name " + AzVaultName(v.vault) + " --name " + inv.key_name +
                " --version " + c.version + " --enabled false) and make the current version the newest there again "
                "(geoekm sync --apply)";
        findings.push_back(std::move(f));
      }
    }
  }
  // Same kty and size everywhere, per version (the first readable copy is the reference).
  for (const std::string& t : required) {
    const VersionCopy* reference = nullptr;
    std::string reference_vault;
    for (const VaultHoldings& v : inv.vaults) {
      const VersionCopy* c = BestCopy(v, t);
      if (!c || !c->material_read()) continue;
      if (!reference) {
        reference = c;
        reference_vault = v.vault.name;
      } else if (c->kty != reference->kty || c->key_size_bits != reference->key_size_bits) {
        ReplicationFinding f;
        f.vault = v.vault.name;
        f.kind = FindingKind::kKeyTypeDiffers;
        f.thumbprint = t;
        f.version = c->version;
        f.reason = "version " + c->version + " in vault " + v.vault.name + " is " + c->kty + " " +
                   std::to_string(c->key_size_bits) + " bits, in vault " + reference_vault + " " + reference->kty +
                   " " + std::to_string(reference->key_size_bits) + " bits";
        f.azure_error = "the key properties of the two vaults differ: the seeds require the same properties on both";
        f.fix = "import the escrowed material with the same key type (software or HSM) in both vaults";
        findings.push_back(std::move(f));
      }
    }
  }
}

// Permissions (get, list, wrapKey, unwrapKey) and the cross-unwrap matrix,
// with one canary wrapped in every vault holding the current version.
Status ProbeVaults(VaultSetRuntime& runtime, GeoLinkReport& report, std::vector<ReplicationFinding>& findings) {
  const KeyInventory& inv = report.inventory;
  const WrapAlgorithm alg = ConfiguredAlgorithm(runtime.config());
  auto canary = RandomCanary();
  if (!canary.ok()) return canary.status();
  std::map<std::string, Bytes> wrapped;  // vault -> its wrap of the canary
  for (const VaultHoldings& v : inv.vaults) {
    const VersionCopy* copy = v.readable() ? BestCopy(v, report.current_thumbprint) : nullptr;
    PermissionProbe list{v.vault.name, "list", v.readable() || MissingPermission(v.status), v.status};
    report.permissions.push_back(list);
    if (MissingPermission(v.status)) findings.push_back(PermissionFinding(v, "list", v.status, runtime.config().auth.client_id));
    if (!copy) {
      for (const char* p : {"get", "wrapKey", "unwrapKey"}) report.permissions.push_back({v.vault.name, p, false, {}});
      continue;
    }
    report.permissions.push_back({v.vault.name, "get", true, copy->read_status});
    if (MissingPermission(copy->read_status)) {
      findings.push_back(PermissionFinding(v, "get", copy->read_status, runtime.config().auth.client_id));
    }
    std::shared_ptr<KeyVaultKeys> keys = runtime.vault(v.vault.name);
    auto w = keys->WrapKey(inv.key_name, copy->version, alg, *canary, CallDeadline());
    report.permissions.push_back({v.vault.name, "wrapKey", true, w.ok() ? Status() : w.status()});
    if (w.ok()) {
      wrapped[v.vault.name] = std::move(w).value();
    } else if (MissingPermission(w.status())) {
      findings.push_back(PermissionFinding(v, "wrapKey", w.status(), runtime.config().auth.client_id));
    } else if (!ExplainedByCopyRules(w.status())) {
      findings.push_back(CanaryFinding(v, report.current_thumbprint, copy, "a canary wrap failed", w.status()));
    }
  }
  for (const VaultHoldings& b : inv.vaults) {
    const VersionCopy* copy = b.readable() ? BestCopy(b, report.current_thumbprint) : nullptr;
    if (!copy) continue;
    std::shared_ptr<KeyVaultKeys> keys = runtime.vault(b.vault.name);
    Status own;  // the unwrap permission, from this vault's own canary (or the first one it got)
    bool probed = false;
    bool reported = false;
    for (const VaultHoldings& a : inv.vaults) {
      auto it = wrapped.find(a.vault.name);
      if (it == wrapped.end()) continue;
      CrossUnwrap cell{a.vault.name, b.vault.name, false, {}};
      auto u = keys->UnwrapKey(inv.key_name, copy->version, alg, it->second, CallDeadline());
      if (u.ok() && *u == *canary) {
        cell.ok = true;
      } else {
        cell.status = u.ok() ? Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                                      "unwrapped to other bytes than the canary: other key material")
                                   .WithVault(b.vault.name)
                             : u.status();
      }
      if (!probed || a.vault.name == b.vault.name) {
        own = cell.status;
        probed = true;
      }
      if (!cell.ok && !MissingPermission(cell.status) && !ExplainedByCopyRules(cell.status) && !reported) {
        findings.push_back(CanaryFinding(b, report.current_thumbprint, copy,
                                         "a canary wrapped in " + a.vault.name + " did not unwrap in " + b.vault.name,
                                         cell.status));
        reported = true;
      }
      report.matrix.push_back(std::move(cell));
    }
    report.permissions.push_back({b.vault.name, "unwrapKey", probed, own});
    if (MissingPermission(own)) findings.push_back(PermissionFinding(b, "unwrapKey", own, runtime.config().auth.client_id));
  }
  return Status();
}

}  // namespace

Result<GeoLinkReport> CheckGeoLink(VaultSetRuntime& runtime, const std::string& key_name,
                                   const GeoLinkCheckOptions& options) {
  InventoryOptions inventory_options;
  inventory_options.vaults = options.vaults;
  inventory_options.progress = options.progress;
  auto inventory = TakeKeyInventory(runtime, key_name, inventory_options);
  if (!inventory.ok()) return inventory.status();
  GeoLinkReport report;
  report.inventory = std::move(inventory).value();
  // The current version as the router chooses it: the newest version of
  // the most preferred vault that answers.
  for (const VaultHoldings& v : report.inventory.vaults) {
    const VersionCopy* latest = v.readable() ? v.Latest() : nullptr;
    if (latest && latest->material_read()) {
      report.current_thumbprint = latest->thumbprint;
      report.current_from = v.vault.name;
      break;
    }
  }
  std::vector<std::string> required;
  for (const HistoricVersion& h : report.inventory.history) required.push_back(h.version.thumbprint);
  if (!report.current_thumbprint.empty() &&
      std::find(required.begin(), required.end(), report.current_thumbprint) == required.end()) {
    required.push_back(report.current_thumbprint);
  }
  std::vector<ReplicationFinding> findings;
  CheckMaterial(report, required, std::int64_t{options.expiry_days} * 86400, findings);
  if (required.empty()) {
    // No history and no readable current version: a vault that answered
    // and holds nothing has no key to link with.
    for (const VaultHoldings& v : report.inventory.vaults) {
      if (!v.readable() || v.deleted || !v.versions.empty()) continue;
      ReplicationFinding f;
      f.vault = v.vault.name;
      f.kind = FindingKind::kVersionMissing;
      f.reason = "vault " + v.vault.name + " holds no version of '" + key_name + "'";
      f.azure_error = "error 3076 (404): the key name was not found in the vault";
      f.fix = "import the key there (geoekm sync --apply with the escrow file)";
      findings.push_back(std::move(f));
    }
  }
  if (!report.current_thumbprint.empty()) {
    if (Status s = ProbeVaults(runtime, report, findings); !s.ok()) return s;
  }
  report.findings = std::move(findings);
  report.fix_order = FixOrder(report.inventory, report.findings);
  return report;
}

}  // namespace geoekm
