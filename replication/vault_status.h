// VaultStatus: the `geoekm status` view — one row per configured vault:
// its health as the running provider recorded it (state store), call
// latency p50/p95 and the last failed call (with its connector code) from
// the store's audit over a recent window, and, read live from the vaults
// (one VaultInventory), how many versions of the key it holds now and the
// days until its copy of the current version expires.
//
// Reads only.
//
// Thread safety: as TakeKeyInventory; the rows are plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "replication/vault_inventory.h"
#include "state/state_records.h"

namespace geoekm {

class VaultSetRuntime;

struct VaultStatus {
  VaultConfig vault;
  // Recorded by the provider; nullopt = never recorded.
  std::optional<VaultHealthState> health;
  std::optional<std::int64_t> health_since_ms;
  // Over the audit window.
  std::int64_t calls = 0;
  std::optional<std::int64_t> latency_p50_ms;
  std::optional<std::int64_t> latency_p95_ms;
  std::optional<AuditRow> last_error;  // newest call with a non-zero outcome
  // Live.
  Status read_status;       // OK when the vault was read just now
  int versions_held = 0;    // versions of the key it lists
  std::string current_version;  // its version id of the current version, "" = not held
  std::optional<std::int64_t> current_exp;  // unix seconds
  std::optional<std::int64_t> days_to_expiry;  // floor((exp - now) / 1 day); negative = expired
};

struct VaultStatusReport {
  std::string key_name;
  std::string current_thumbprint;  // as the geo-link check chooses it
  std::chrono::minutes audit_window{60};
  std::vector<VaultStatus> vaults;
};

Result<VaultStatusReport> ReadVaultStatus(VaultSetRuntime& runtime, const std::string& key_name,
                                          std::chrono::minutes audit_window = std::chrono::minutes(60));

}  // namespace geoekm
