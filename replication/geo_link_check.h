// CheckGeoLink: may a geo-replication link be established between these
// vaults? For one key name and the selected vaults (default: all), from one
// VaultInventory: every vault holds the same material for the current
// version and for every version in the history (by thumbprint), and nothing
// else under the name; each copy is enabled, inside nbf/exp, permits
// wrapKey and unwrapKey, and has the same kty and size everywhere; the
// configured identity holds get, list, wrapKey and unwrapKey (probed, the
// missing one named); a canary wrapped in each vault unwraps in every other
// (the cross-unwrap matrix); no copy expires within `expiry_days`. Safe
// only with no finding at all; otherwise each finding says, per vault, the
// reason, what Azure SQL would answer (e.g.
// SameKeyMaterialNotFoundOnRemoteServer) and the fix, and fix_order lists
// the vaults secondaries first, primary last.
//
// Only reads and wraps/unwraps canaries (random bytes, wiped): nothing in a
// vault changes and nothing is written to the state store.
//
// Thread safety: as TakeKeyInventory; the report is a plain value.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "replication/replication_finding.h"
#include "replication/vault_inventory.h"

namespace geoekm {

class VaultSetRuntime;

struct GeoLinkCheckOptions {
  std::vector<std::string> vaults;  // empty = every configured vault
  int expiry_days = 30;
  std::function<void(const std::string& vault, std::string_view what)> progress;  // see InventoryOptions
};

// The identity's permission `permission` on `vault`, as probed.
struct PermissionProbe {
  std::string vault;
  std::string permission;  // get, list, wrapKey, unwrapKey
  bool probed = false;     // false: not probed (the vault was unreadable or holds no current copy)
  Status status;           // OK = granted; 3077 with ForbiddenReason::kPermission = missing
};

// One cell of the cross-unwrap matrix: a canary wrapped in `wrapped_in`,
// unwrapped in `unwrapped_in`.
struct CrossUnwrap {
  std::string wrapped_in;
  std::string unwrapped_in;
  bool ok = false;  // unwrapped to the same bytes
  Status status;    // the failure when !ok (a mismatch has code 5005)
};

struct GeoLinkReport {
  KeyInventory inventory;
  std::string current_thumbprint;  // "" when no vault's current version could be read
  std::string current_from;        // the vault it was taken from (the most preferred readable one)
  std::vector<PermissionProbe> permissions;
  std::vector<CrossUnwrap> matrix;
  std::vector<ReplicationFinding> findings;
  std::vector<std::string> fix_order;  // vaults with findings, secondaries first

  bool safe() const { return findings.empty(); }
};

// Fails only when it cannot run (as TakeKeyInventory).
Result<GeoLinkReport> CheckGeoLink(VaultSetRuntime& runtime, const std::string& key_name,
                                   const GeoLinkCheckOptions& options = {});

}  // namespace geoekm
