// PrintDrillReport: the readable outcome of a failover drill — the phases
// with latencies and which vault served them, then what the state store
// recorded (health changes, key history, each vault's copies, missing
// versions), then every check with PASS/FAIL and the verdict.
//
// Thread safety: reentrant; reads the store, writes only to `out`.
#pragma once

#include <ostream>

#include "provider/drill/failover_drill.h"
#include "state/state_store.h"

namespace geoekm {

void PrintDrillReport(const DrillResult& result, StateStore& store, std::ostream& out);

}  // namespace geoekm
