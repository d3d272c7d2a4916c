#include "replication/vault_copy.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/error_codes.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm {
namespace {

Deadline CallDeadline(VaultSetRuntime& runtime) { return Deadline::After(runtime.config().router.operation_deadline); }

Status NoClient(const std::string& vault) {
  return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "vault " + vault + " is not in the vault set")
      .WithVault(vault);
}

Status Located(Status s, const std::string& what) {
  s.Prefix(what + ": ");
  return s;
}

}  // namespace

Result<KeyBundle> VerifyCopy(VaultSetRuntime& runtime, const std::string& vault, const std::string& key_name,
                             const std::string& version, const std::string& expected_thumbprint) {
  std::shared_ptr<KeyVaultKeys> keys = runtime.vault(vault);
  if (!keys) return NoClient(vault);
  Result<KeyBundle> bundle = keys->GetKey(key_name, version, CallDeadline(runtime));
  if (!bundle.ok()) return Located(bundle.status(), "reading back " + key_name + "/" + version + " in " + vault);
  bundle->name = key_name;
  if (bundle->thumbprint != expected_thumbprint) {
    // Recorded, so the router and `geoekm check` see it too; best effort.
    (void)runtime.store().RecordCopyStatus(vault, expected_thumbprint, CopyStatus::kMismatch,
                                           "read back after a copy: other material", bundle->thumbprint);
    return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                  vault + " holds " + key_name + "/" + version + " with thumbprint " + bundle->thumbprint +
                      ", not the expected " + expected_thumbprint)
        .WithVault(vault);
  }
  if (Status s = runtime.store().RecordCopyVerified(vault, *bundle); !s.ok()) {
    return Located(s, "recording the verified copy in " + vault);
  }
  return bundle;
}

Result<KeyBundle> ImportCopy(VaultSetRuntime& runtime, const std::string& vault, const std::string& key_name,
                             const LocalRsaKey& key, bool hsm, const KeyAttributes& attributes) {
  std::shared_ptr<KeyVaultKeyAdministration> admin = runtime.key_administration(vault);
  if (!admin) return NoClient(vault);
  Result<KeyBundle> imported = Status(codes::kFailure, ErrorClass::kInternal, "not imported");
  {
    Result<PrivateRsaJwk> jwk = key.ToJwk();  // wiped when this scope ends
    if (!jwk.ok()) return jwk.status();
    KeyAttributes attrs;
    attrs.enabled = true;
    attrs.nbf = attributes.nbf;
    attrs.exp = attributes.exp;
    imported = admin->ImportKey(key_name, *jwk, hsm, attrs, CallDeadline(runtime));
  }
  if (!imported.ok()) return Located(imported.status(), "importing " + key.thumbprint() + " into " + vault);
  return VerifyCopy(runtime, vault, key_name, imported->version, key.thumbprint());
}

Result<std::vector<KeyBundle>> RestoreCopies(VaultSetRuntime& runtime, const std::string& source,
                                             const std::string& target, const std::string& key_name,
                                             const std::vector<std::string>& expected_thumbprints) {
  std::shared_ptr<KeyVaultKeyAdministration> from = runtime.key_administration(source);
  std::shared_ptr<KeyVaultKeyAdministration> to = runtime.key_administration(target);
  std::shared_ptr<KeyVaultKeys> target_keys = runtime.vault(target);
  if (!from) return NoClient(source);
  if (!to || !target_keys) return NoClient(target);
  Result<std::string> blob = from->BackupKey(key_name, CallDeadline(runtime));
  if (!blob.ok()) return Located(blob.status(), "backing up " + key_name + " from " + source);
  // A 409 right after a purge is retried by the client (keyvault/keys/vault_error.cc).
  Result<KeyBundle> restored = to->RestoreKey(*blob, CallDeadline(runtime));
  OPENSSL_cleanse(blob->data(), blob->size());
  if (!restored.ok()) return Located(restored.status(), "restoring " + key_name + " from " + source + " into " + target);

  Result<std::vector<KeyVersionItem>> listed = target_keys->ListKeyVersions(key_name, CallDeadline(runtime));
  if (!listed.ok()) return Located(listed.status(), "listing " + key_name + " in " + target + " after the restore");
  std::vector<KeyBundle> verified;
  for (const KeyVersionItem& item : *listed) {
    Result<KeyBundle> bundle = target_keys->GetKey(key_name, item.version, CallDeadline(runtime));
    if (!bundle.ok()) continue;  // e.g. a disabled old version: its material cannot be read
    // Only history versions are recorded: a backup carries whatever else the
    // source holds under the name, which is not thereby trusted.
    if (std::find(expected_thumbprints.begin(), expected_thumbprints.end(), bundle->thumbprint) ==
        expected_thumbprints.end()) {
      continue;
    }
    bundle->name = key_name;
    if (Status s = runtime.store().RecordCopyVerified(target, *bundle); !s.ok()) {
      return Located(s, "recording the restored copy in " + target);
    }
    verified.push_back(std::move(bundle).value());
  }
  for (const std::string& t : expected_thumbprints) {
    if (std::none_of(verified.begin(), verified.end(), [&](const KeyBundle& b) { return b.thumbprint == t; })) {
      return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                    "after restoring " + key_name + " from " + source + ", " + target + " shows no version " + t)
          .WithVault(target);
    }
  }
  return verified;
}

}  // namespace geoekm
