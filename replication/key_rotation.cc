#include "replication/key_rotation.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include "core/error_codes.h"
#include "provider/runtime/vault_set_runtime.h"
#include "replication/authority_failure.h"
#include "replication/escrow_file.h"
#include "replication/rotation_journal.h"
#include "replication/vault_copy.h"
#include "replication/vault_inventory.h"

namespace geoekm {
namespace {

Status Refusal(std::string why) { return Status(codes::kFailure, ErrorClass::kInvalidInput, std::move(why)); }

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::int64_t UnixNow() { return static_cast<std::int64_t>(std::time(nullptr)); }

// Why a new rotation must not start now, or nullopt.
std::optional<Status> WhyNotStart(const KeyInventory& inventory) {
  for (const VaultHoldings& v : inventory.vaults) {
    if (!v.readable()) {
      return Refusal("vault " + v.vault.name + " could not be read (" + v.status.ToString() +
                     "): a rotation needs every vault; nothing was changed");
    }
  }
  for (const HistoricVersion& h : inventory.history) {
    for (const VaultHoldings& v : inventory.vaults) {
      if (v.CopiesOf(h.version.thumbprint).empty()) {
        return Refusal("vault " + v.vault.name + " lacks version " + h.version.thumbprint + " of " +
                       inventory.key_name + ": run geoekm sync first (or geoekm rotate --resume to finish an "
                       "interrupted rotation); nothing was changed");
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view RotationVaultStateName(RotationVaultState state) {
  switch (state) {
    case RotationVaultState::kPending: return "pending";
    case RotationVaultState::kAlreadyHeld: return "already-held";
    case RotationVaultState::kImported: return "imported";
    case RotationVaultState::kFailed: return "failed";
    case RotationVaultState::kNotAttempted: return "not-attempted";
  }
  return "?";
}

bool RotationReport::complete() const {
  return !refused && !steps.empty() && std::all_of(steps.begin(), steps.end(), [](const RotationVaultStep& s) {
    return s.state == RotationVaultState::kImported || s.state == RotationVaultState::kAlreadyHeld;
  });
}

Result<RotationReport> RotateKey(VaultSetRuntime& runtime, const RotationRequest& request) {
  RotationReport report;
  report.key_name = request.key_name;
  report.key_size = runtime.config().provider.key_size;
  report.escrow_path = request.escrow_path;
  report.journal_path = RotationJournalPath(request.escrow_path);

  std::unique_ptr<LocalRsaKey> key;
  RotationJournal journal;
  if (request.resume) {
    Result<RotationJournal> read = ReadRotationJournal(report.journal_path);
    if (!read.ok()) {
      report.refused = read.status();
      return report;
    }
    journal = std::move(read).value();
    if (!request.key_name.empty() && request.key_name != journal.key_name) {
      report.refused = Refusal("the journal is of key " + journal.key_name + ", not " + request.key_name);
      return report;
    }
    report.key_name = journal.key_name;
    Result<std::unique_ptr<LocalRsaKey>> escrow = ReadEscrowFile(request.escrow_path, request.passphrase);
    if (!escrow.ok()) {
      report.refused = escrow.status();
      return report;
    }
    key = std::move(escrow).value();
    if (key->thumbprint() != journal.thumbprint) {
      report.refused = Refusal("the escrow holds " + key->thumbprint() + " but the journal names " +
                               journal.thumbprint + ": not the same rotation");
      return report;
    }
    report.thumbprint = key->thumbprint();
    report.key_size = key->bits();
  }

  Result<KeyInventory> inventory = TakeKeyInventory(runtime, report.key_name);
  if (!inventory.ok()) return inventory.status();
  if (std::optional<Status> authority = AuthorityUnreachable(*inventory)) return *authority;
  // Import order: secondaries first (highest priority number), primary last.
  for (auto it = inventory->vaults.rbegin(); it != inventory->vaults.rend(); ++it) {
    RotationVaultStep step;
    step.vault = it->vault.name;
    step.priority = it->vault.priority;
    report.steps.push_back(std::move(step));
  }

  if (!request.resume) {
    if (std::optional<Status> why = WhyNotStart(*inventory)) {
      report.refused = *why;
      return report;
    }
    if (Exists(request.escrow_path) || Exists(report.journal_path)) {
      report.refused = Refusal("'" + request.escrow_path + "' or its journal exists: an escrow is never "
                               "overwritten; give a new file, or --resume the rotation it belongs to");
      return report;
    }
    if (!request.apply) return report;  // dry run: nothing generated, nothing written
    Result<std::unique_ptr<LocalRsaKey>> generated = LocalRsaKey::Generate(report.key_size);
    if (!generated.ok()) return generated.status();
    key = std::move(generated).value();
    report.thumbprint = key->thumbprint();
    // The escrow first: a vault must never hold material nobody else has.
    if (Status s = WriteEscrowFile(request.escrow_path, *key, request.passphrase); !s.ok()) {
      report.refused = s;
      return report;
    }
    journal.key_name = report.key_name;
    journal.thumbprint = key->thumbprint();
    journal.key_size = key->bits();
    journal.started_unix_s = UnixNow();
    for (const RotationVaultStep& s : report.steps) journal.order.push_back(s.vault);
    if (Status s = WriteRotationJournal(report.journal_path, journal); !s.ok()) {
      report.refused = s;
      return report;
    }
  }

  bool stopped = false;
  for (RotationVaultStep& step : report.steps) {
    const VaultHoldings* holdings = inventory->Vault(step.vault);
    std::vector<const VersionCopy*> held;
    if (holdings && holdings->readable()) held = holdings->CopiesOf(key->thumbprint());
    if (stopped) {
      step.state = RotationVaultState::kNotAttempted;
    } else if (!held.empty()) {
      step.version = held.back()->version;
      step.state = RotationVaultState::kAlreadyHeld;
      if (request.apply) {
        auto verified = VerifyCopy(runtime, step.vault, report.key_name, step.version, key->thumbprint());
        if (!verified.ok()) {
          step.state = RotationVaultState::kFailed;
          step.outcome = verified.status();
        }
      }
    } else if (!request.apply) {
      step.state = RotationVaultState::kPending;
      if (holdings && !holdings->readable()) step.outcome = holdings->status;
    } else {
      const VersionCopy* latest = holdings ? holdings->Latest() : nullptr;
      auto imported = ImportCopy(runtime, step.vault, report.key_name, *key, latest && latest->kty == "RSA-HSM", {});
      if (imported.ok()) {
        step.state = RotationVaultState::kImported;
        step.version = imported->version;
      } else {
        step.state = RotationVaultState::kFailed;
        step.outcome = imported.status();
      }
    }
    if (step.state == RotationVaultState::kFailed) stopped = true;
    if (request.apply && !step.version.empty() && step.state != RotationVaultState::kFailed) {
      journal.vaults[step.vault] = RotationJournalVault{step.version, UnixNow()};
      // The journal is a convenience (the vaults are the truth): a failed
      // write is reported, the rotation goes on.
      if (Status s = WriteRotationJournal(report.journal_path, journal); !s.ok()) step.outcome = s;
    }
    if (request.after_vault) request.after_vault(step);
  }
  if (report.complete()) {
    report.primary_version = report.steps.back().version;
    if (request.apply) {
      journal.completed_unix_s = UnixNow();
      (void)WriteRotationJournal(report.journal_path, journal);
    }
  }
  return report;
}

}  // namespace geoekm
