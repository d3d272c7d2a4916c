// Key rotation across the whole vault set (`geoekm rotate`): a new RSA key
// is generated locally (OpenSSL, provider.key_size bits), written to the
// operator's escrow (encrypted, 0600) and journal *before* any vault is
// touched, then imported (BYOK) into every vault — secondaries first, the
// primary (lowest priority number) last — each copy verified by thumbprint
// and recorded in the state store.
//
// Why that order: the router's current version is the newest version of
// the most preferred vault that answers, and it wraps with it only when
// every vault that is not quarantined holds it (vault_router.h, error 5008
// otherwise). Importing into the primary last means the primary's newest
// version becomes the new one only once every other vault holds it, so
// wraps move to the new version exactly when all vaults have it. For the
// same reason the rotation stops at the first vault that fails: going on
// to the primary would make it the current version somewhere it is missing.
//
// A rotation is refused (nothing generated, nothing written) while a vault
// cannot be read or a version of the history is missing somewhere (run
// `geoekm sync`, or `--resume` an interrupted rotation): two half-finished
// rotations could not be told apart. `Resume` reads the escrow and the
// journal, asks every vault whether it holds the thumbprint and imports
// only where it is missing, in the same order. Old versions are never
// touched: they stay, enabled.
//
// Thread safety: call from one thread; uses the runtime's thread-safe parts.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm {

class VaultSetRuntime;

enum class RotationVaultState {
  kPending,       // dry run: would be imported
  kAlreadyHeld,   // holds the thumbprint (an earlier run imported it); verified again
  kImported,      // imported and verified now
  kFailed,        // the import or its verification failed: `outcome`
  kNotAttempted,  // after a failure; the rotation stopped before this vault
};
std::string_view RotationVaultStateName(RotationVaultState state);

struct RotationVaultStep {
  std::string vault;
  int priority = 0;
  std::string version;  // the vault's version id of the new material
  RotationVaultState state = RotationVaultState::kPending;
  Status outcome;
};

struct RotationRequest {
  std::string key_name;
  std::string escrow_path;  // written (new rotation) or read (resume)
  SecureString passphrase;
  bool apply = false;
  bool resume = false;
  // After each vault's step (progress on a terminal; tests kill a vault here).
  std::function<void(const RotationVaultStep&)> after_vault;
};

struct RotationReport {
  std::string key_name;
  std::string thumbprint;  // "" in a dry run of a new rotation (no key generated)
  int key_size = 0;
  std::string escrow_path, journal_path;
  std::vector<RotationVaultStep> steps;  // import order
  // Set when the rotation did not start: why (a vault unreadable, a version
  // missing somewhere, an escrow that exists). Nothing was changed then.
  std::optional<Status> refused;
  std::string primary_version;  // when complete: the primary's version id (for the T-SQL)

  bool complete() const;
};

// Fails only when it cannot run (the state store, the inventory, or no vault
// could be asked for want of a token: authority_failure.h); every other outcome — refused, partial, complete — is in the report.
Result<RotationReport> RotateKey(VaultSetRuntime& runtime, const RotationRequest& request);

}  // namespace geoekm
