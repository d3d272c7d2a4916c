#include "replication/copy_rules.h"

#include "state/missing_versions_message.h"

namespace geoekm {
namespace {

std::string VersionWord(VersionRole role) { return role == VersionRole::kCurrent ? "current version" : "historic version"; }

// What Azure SQL does when this vault's copy of the version is unusable.
std::string Inaccessible(VersionRole role) {
  return role == VersionRole::kCurrent
             ? "the TDE protector is inaccessible through this vault: databases of the server using it become "
               "inaccessible (logons refused) until access is restored"
             : "backups and log files encrypted with this version cannot be restored through this vault; a database "
               "still needing it goes to 'recovery pending'";
}

ReplicationFinding Finding(const VaultHoldings& vault, FindingKind kind, const std::string& thumbprint,
                           const VersionCopy* copy) {
  ReplicationFinding f;
  f.vault = vault.vault.name;
  f.kind = kind;
  f.thumbprint = thumbprint;
  if (copy) f.version = copy->version;
  return f;
}

std::string SetAttributes(const VaultHoldings& vault, const std::string& key_name, const VersionCopy& copy) {
  return "az keyvault key set-attributes --vault-name " + AzVaultName(vault.vault) + " --name " + key_name +
         " --version " + copy.version;
}

}  // namespace

std::string UtcSeconds(std::int64_t unix_s) { return FormatUtcTimestamp(unix_s * 1000); }

std::string AzVaultName(const VaultConfig& vault) { return vault.host.substr(0, vault.host.find('.')); }

ReplicationFinding VaultUnreadableFinding(const VaultHoldings& vault) {
  ReplicationFinding f = Finding(vault, FindingKind::kVaultUnreadable, "", nullptr);
  f.status = vault.status;
  const bool forbidden = vault.status.error_class() == ErrorClass::kForbidden;
  const bool auth = vault.status.error_class() == ErrorClass::kAuth;
  f.reason = "vault " + vault.vault.name + " (" + vault.vault.url + ") could not be read: " + vault.status.ToString();
  f.azure_error = "the server using this vault cannot reach its TDE protector: its databases become inaccessible";
  f.fix = forbidden ? "allow this host through the vault's firewall and grant the identity get and list on keys"
          : auth    ? "check the credential and tenant of the configuration (geoekm config check)"
                    : "make the vault reachable from this host (network, DNS, firewall) and run the check again";
  return f;
}

ReplicationFinding KeyDeletedFinding(const VaultHoldings& vault, const std::string& key_name) {
  ReplicationFinding f = Finding(vault, FindingKind::kKeyDeleted, "", nullptr);
  const DeletedKeyBundle& d = *vault.deleted;
  f.thumbprint = d.key.thumbprint;
  f.version = d.key.version;
  f.reason = "key '" + key_name + "' is soft-deleted in vault " + vault.vault.name +
             (d.deleted_date ? " since " + UtcSeconds(*d.deleted_date) : std::string()) +
             ": every version of it is unavailable there";
  f.azure_error = "every database and backup protected by it through this vault is inaccessible";
  f.fix = "recover it (all versions come back): az keyvault key recover --vault-name " + AzVaultName(vault.vault) +
          " --name " + key_name + " (REST: POST " + (d.recovery_id.empty() ? "/deletedkeys/" + key_name : d.recovery_id) +
          "/recover; needs the 'recover' permission)" +
          (d.scheduled_purge_date ? ", before it is purged at " + UtcSeconds(*d.scheduled_purge_date) : std::string()) +
          "; geoekm never recovers, deletes or purges";
  return f;
}

ReplicationFinding VersionMissingFinding(const VaultHoldings& vault, const std::string& key_name,
                                         const std::string& thumbprint, VersionRole role,
                                         const std::vector<std::string>& holders) {
  ReplicationFinding f = Finding(vault, FindingKind::kVersionMissing, thumbprint, nullptr);
  std::string held_by;
  for (const std::string& h : holders) held_by += (held_by.empty() ? "" : ", ") + h;
  f.reason = "vault " + vault.vault.name + " does not hold the " + VersionWord(role) + " of '" + key_name +
             "' (thumbprint " + thumbprint + ")" + (held_by.empty() ? "" : "; held by " + held_by);
  f.azure_error = std::string(kSameKeyMaterialNotFound) + " (a geo-link with this vault is refused); " + Inaccessible(role);
  f.fix = "copy it there: geoekm sync --apply (backup/restore from a vault of the same geography, else import from "
          "the escrow file)";
  return f;
}

const VersionCopy* BestCopy(const VaultHoldings& vault, const std::string& thumbprint) {
  const VersionCopy* best = nullptr;
  for (const VersionCopy* c : vault.CopiesOf(thumbprint)) {
    if (!best || (c->enabled() && !best->enabled()) || c->enabled() == best->enabled()) best = c;
  }
  return best;
}

void AppendCopyFindings(const VaultHoldings& vault, const std::string& key_name, const VersionCopy& copy,
                        const std::string& thumbprint, VersionRole role, std::int64_t now_s,
                        std::int64_t expiry_window_s, std::vector<ReplicationFinding>& findings) {
  const std::string what = "the " + VersionWord(role) + " of '" + key_name + "' in vault " + vault.vault.name +
                           " (version " + copy.version + ")";
  if (!copy.enabled()) {
    ReplicationFinding f = Finding(vault, FindingKind::kDisabled, thumbprint, &copy);
    f.reason = what + " is disabled";
    f.azure_error = Inaccessible(role);
    f.fix = "enable it: " + SetAttributes(vault, key_name, copy) + " --enabled true";
    findings.push_back(std::move(f));
  } else if (!copy.material_read()) {
    ReplicationFinding f = Finding(vault, FindingKind::kMaterialUnreadable, thumbprint, &copy);
    f.status = copy.read_status;
    f.reason = what + " is listed but could not be read: " + copy.read_status.ToString();
    f.azure_error = Inaccessible(role);
    f.fix = copy.read_status.forbidden_reason() == ForbiddenReason::kPermission
                ? "grant the identity the keys permission the vault names"
                : "read the vault's answer above; run the check again once it is fixed";
    findings.push_back(std::move(f));
  }
  if (copy.NotYetValidAt(now_s)) {
    ReplicationFinding f = Finding(vault, FindingKind::kNotYetValid, thumbprint, &copy);
    f.reason = what + " is not valid before " + UtcSeconds(*copy.attributes.nbf);
    f.azure_error = Inaccessible(role);
    f.fix = "move its activation date: " + SetAttributes(vault, key_name, copy) + " --not-before <a past time>";
    findings.push_back(std::move(f));
  }
  if (copy.ExpiredAt(now_s)) {
    ReplicationFinding f = Finding(vault, FindingKind::kExpired, thumbprint, &copy);
    f.reason = what + " expired at " + UtcSeconds(*copy.attributes.exp);
    f.azure_error = Inaccessible(role);
    f.fix = "extend it: " + SetAttributes(vault, key_name, copy) + " --expires <a later date>" +
            (role == VersionRole::kCurrent ? ", then rotate (geoekm rotate)" : "");
    findings.push_back(std::move(f));
  } else if (expiry_window_s > 0 && copy.ExpiredAt(now_s + expiry_window_s)) {
    ReplicationFinding f = Finding(vault, FindingKind::kExpiresSoon, thumbprint, &copy);
    const std::int64_t days = (*copy.attributes.exp - now_s) / 86400;
    f.reason = what + " expires at " + UtcSeconds(*copy.attributes.exp) + ", in " + std::to_string(days) +
               " day" + (days == 1 ? "" : "s");
    f.azure_error = "once expired: " + Inaccessible(role);
    f.fix = "rotate before then (geoekm rotate) or extend it: " + SetAttributes(vault, key_name, copy) +
            " --expires <a later date>";
    findings.push_back(std::move(f));
  }
  if (copy.material_read()) {
    std::vector<std::string> lacking;
    if (role == VersionRole::kCurrent && !copy.HasKeyOp("wrapKey")) lacking.push_back("wrapKey");
    if (!copy.HasKeyOp("unwrapKey")) lacking.push_back("unwrapKey");
    if (!lacking.empty()) {
      ReplicationFinding f = Finding(vault, FindingKind::kKeyOpsMissing, thumbprint, &copy);
      std::string ops;
      for (const std::string& op : lacking) ops += (ops.empty() ? "" : " and ") + op;
      f.reason = what + " does not permit " + ops + " (key_ops)";
      f.azure_error = Inaccessible(role);
      f.fix = "allow them: " + SetAttributes(vault, key_name, copy) + " --ops wrapKey unwrapKey";
      findings.push_back(std::move(f));
    }
  }
}

bool MissingPermission(const Status& s) {
  return s.error_class() == ErrorClass::kForbidden && s.forbidden_reason() == ForbiddenReason::kPermission;
}

// A failure the copy rules already report (disabled, expired, key_ops).
bool ExplainedByCopyRules(const Status& s) {
  const ForbiddenReason r = s.forbidden_reason();
  return s.error_class() == ErrorClass::kForbidden &&
         (r == ForbiddenReason::kKeyDisabled || r == ForbiddenReason::kKeyExpired || r == ForbiddenReason::kKeyOps);
}

ReplicationFinding PermissionFinding(const VaultHoldings& v, const std::string& permission, const Status& status,
                                     const std::string& client_id) {
  ReplicationFinding f;
  f.vault = v.vault.name;
  f.kind = FindingKind::kPermissionMissing;
  f.status = status;
  f.reason = "the identity " + client_id + " lacks the keys permission '" + permission + "' on vault " +
             v.vault.name;
  f.azure_error = "error 3077 (403 Forbidden): the server using this vault cannot " +
                  std::string(permission == "unwrapKey" ? "unwrap its database keys: databases become inaccessible"
                                                        : "use its TDE protector");
  f.fix = "grant it: az keyvault set-policy --name " + AzVaultName(v.vault) + " --spn " + client_id +
          " --key-permissions get list wrapKey unwrapKey (or the RBAC role 'Key Vault Crypto Service Encryption "
          "User')";
  return f;
}

ReplicationFinding CanaryFinding(const VaultHoldings& v, const std::string& thumbprint, const VersionCopy* copy,
                                 const std::string& what, const Status& status) {
  ReplicationFinding f;
  f.vault = v.vault.name;
  f.kind = FindingKind::kCanaryFailed;
  f.thumbprint = thumbprint;
  if (copy) f.version = copy->version;
  f.status = status;
  f.reason = what + ": " + status.ToString();
  f.azure_error = std::string(kSameKeyMaterialNotFound) + " if the material differs; otherwise the server using "
                  "this vault cannot unwrap its database keys";
  f.fix = "compare the thumbprints above; run the command again once the vault answers";
  return f;
}

}  // namespace geoekm
