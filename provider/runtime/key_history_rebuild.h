// RebuildKeyHistory: recreates the state store's key history from the
// vaults themselves (docs/ARCHITECTURE.md, invariant 3: "if the store is lost it can be
// rebuilt from the vaults"): every version of every configured key in every
// vault, identified by JWK thumbprint, merged into the store. What the vaults
// cannot tell (which versions wrapped DEKs, and when) is reported as unknown.
//
// Thread safety: call from one thread; uses the runtime's thread-safe parts.
#pragma once

#include "core/result.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm {

Result<RebuildReport> RebuildKeyHistory(VaultSetRuntime& runtime);

}  // namespace geoekm
