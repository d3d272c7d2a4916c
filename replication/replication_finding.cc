#include "replication/replication_finding.h"

#include <algorithm>
#include <set>

namespace geoekm {

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kVaultUnreadable: return "vault-unreadable";
    case FindingKind::kKeyDeleted: return "key-deleted";
    case FindingKind::kVersionMissing: return "version-missing";
    case FindingKind::kOtherMaterial: return "other-material";
    case FindingKind::kMaterialUnreadable: return "material-unreadable";
    case FindingKind::kDisabled: return "disabled";
    case FindingKind::kNotYetValid: return "not-yet-valid";
    case FindingKind::kExpired: return "expired";
    case FindingKind::kExpiresSoon: return "expires-soon";
    case FindingKind::kKeyOpsMissing: return "key-ops-missing";
    case FindingKind::kKeyTypeDiffers: return "key-type-differs";
    case FindingKind::kPermissionMissing: return "permission-missing";
    case FindingKind::kCanaryFailed: return "canary-failed";
  }
  return "unknown";
}

std::vector<std::string> FixOrder(const KeyInventory& inventory, const std::vector<ReplicationFinding>& findings) {
  std::set<std::string> with_findings;
  for (const ReplicationFinding& f : findings) with_findings.insert(f.vault);
  std::vector<const VaultHoldings*> vaults;
  for (const VaultHoldings& v : inventory.vaults) {
    if (with_findings.count(v.vault.name)) vaults.push_back(&v);
  }
  std::stable_sort(vaults.begin(), vaults.end(), [](const VaultHoldings* a, const VaultHoldings* b) {
    return a->vault.priority > b->vault.priority;
  });
  std::vector<std::string> out;
  for (const VaultHoldings* v : vaults) out.push_back(v->vault.name);
  return out;
}

std::string ShortThumbprint(std::string_view thumbprint) {
  if (thumbprint.size() <= 12) return std::string(thumbprint);
  return std::string(thumbprint.substr(0, 12)) + "…";
}

}  // namespace geoekm
