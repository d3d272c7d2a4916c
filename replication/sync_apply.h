// ApplySync: carries out a SyncPlan (replication/sync_plan.h) — restores
// and escrow imports, each verified by thumbprint and recorded
// (replication/vault_copy.h) — and writes each step's outcome into the plan.
// Steps that need something the operator must provide (an escrow, a
// reachable or recovered vault) are left unattempted. A failed step does
// not stop the others: each vault's copy is independent, and the plan
// reports every outcome.
//
// Re-running is safe: the plan is made from a fresh inventory each time,
// so a version that arrived is not copied again (a second `sync --apply`
// has no steps).
//
// Thread safety: call from one thread; uses the runtime's thread-safe parts.
#pragma once

#include <functional>

#include "replication/local_rsa_key.h"
#include "replication/sync_plan.h"

namespace geoekm {

class VaultSetRuntime;

// `escrow`: the key read from the operator's escrow file, or null.
// `inventory`: the one the plan was made from (its copies' kty and nbf/exp
// are given to imports). `progress` is called before each attempted step.
void ApplySync(VaultSetRuntime& runtime, const KeyInventory& inventory, const LocalRsaKey* escrow, SyncPlan& plan,
               const std::function<void(const SyncStep&)>& progress = {});

}  // namespace geoekm
