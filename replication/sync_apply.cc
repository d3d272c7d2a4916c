#include "replication/sync_apply.h"

#include "core/error_codes.h"
#include "replication/vault_copy.h"

namespace geoekm {
namespace {

// A holder's copy of `thumbprint`: its kty decides HSM or software, its
// nbf/exp are kept, so the copies agree in their properties.
const VersionCopy* HolderCopy(const KeyInventory& inventory, const std::string& thumbprint) {
  for (const VaultHoldings& h : inventory.vaults) {
    for (const VersionCopy* c : h.CopiesOf(thumbprint)) {
      if (c->material_read()) return c;
    }
  }
  return nullptr;
}

}  // namespace

void ApplySync(VaultSetRuntime& runtime, const KeyInventory& inventory, const LocalRsaKey* escrow, SyncPlan& plan,
               const std::function<void(const SyncStep&)>& progress) {
  for (SyncStep& step : plan.steps) {
    if (step.action == SyncAction::kRestoreFromBackup) {
      if (progress) progress(step);
      auto restored = RestoreCopies(runtime, step.source_vault, step.vault, plan.key_name, step.thumbprints);
      if (!restored.ok()) {
        step.outcome = restored.status();
        continue;
      }
      for (const KeyBundle& b : *restored) step.new_versions.push_back(b.version);
      step.outcome = Status::Ok();
    } else if (step.action == SyncAction::kImportFromEscrow) {
      if (!escrow || step.thumbprints.size() != 1 || escrow->thumbprint() != step.thumbprints.front()) {
        step.outcome = Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "the escrow does not match this step");
        continue;
      }
      if (progress) progress(step);
      const VersionCopy* holder = HolderCopy(inventory, escrow->thumbprint());
      const HistoricVersion* history = inventory.History(escrow->thumbprint());
      const bool hsm = holder ? holder->kty == "RSA-HSM" : history && history->version.kty == "RSA-HSM";
      auto imported = ImportCopy(runtime, step.vault, plan.key_name, *escrow, hsm,
                                 holder ? holder->attributes : KeyAttributes{});
      if (!imported.ok()) {
        step.outcome = imported.status();
        continue;
      }
      step.new_versions.push_back(imported->version);
      step.outcome = Status::Ok();
    }
  }
}

}  // namespace geoekm
