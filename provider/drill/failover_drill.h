// FailoverDrill: proves, on a live vault set, that DEKs wrapped through
// geoekm stay unwrappable when the preferred vault (or its whole region) is
// lost, and that geoekm returns to it on its own once it is back.
//
// Phases: (1) open the key by name (its current version); (2) wrap N
// random DEKs with that version and unwrap them once; (3) run the outage
// command (e.g. kill the primary region) and unwrap every DEK concurrently,
// as a SQL Server failover would; (4) run the recover command and wait
// until the vault set has failed back to the primary on its own; (5) unwrap
// every DEK again. Without outage/recover commands, phases 3–5 are skipped.
// Then the key path is finished (drill_key_path.h: through the library that
// is SqlCryptFreeProvider) and the checks that need the record are made from
// the state store: every vault's copy of the version was verified during
// the drill, which vault served each phase (audit rows, by the time their
// call started), the primary served nothing during the outage and most
// after failback.
//
// The same drill runs through the router in this process or through
// libgeoekm-ekm.so's SQL Crypto API (DrillKeyPath).
//
// The drill never deletes or changes keys; it only wraps and unwraps random
// data. DEK plaintexts live in SecureBytes and are wiped.
//
// Thread safety: one drill runs on one thread (it starts its own workers).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/vault_set_config.h"
#include "core/status.h"
#include "provider/drill/drill_key_path.h"

namespace geoekm {

struct DrillOptions {
  int deks = 20;
  int concurrency = 8;
  std::string primary;           // "" = the vault with the lowest priority value
  std::string outage_command;    // run with /bin/sh -c; "" = no outage phases
  std::string recover_command;
  std::chrono::seconds failback_timeout{120};
};

struct DrillCheck {
  std::string name;
  bool passed = false;
  std::string detail;
};

struct LatencySummary {
  int count = 0;
  int failures = 0;
  std::chrono::milliseconds p50{0}, p95{0}, max{0};
};

struct DrillPhase {
  std::string name;
  std::int64_t started_ms = 0;  // unix ms (matches the store's clock)
  std::int64_t ended_ms = 0;
  LatencySummary latency;
  std::vector<std::pair<std::string, std::int64_t>> served_by;  // vault -> successful vault calls (audit)
};

struct DrillResult {
  std::string through;  // DrillKeyPath::description()
  std::string key_name;
  std::string thumbprint;
  std::string primary;
  std::int64_t started_ms = 0;
  std::vector<DrillPhase> phases;
  std::vector<DrillCheck> checks;
  std::chrono::milliseconds time_to_failback{0};
  // The state writer's counters once the drill's events are written, when
  // the path can see them (not through the library).
  std::optional<StateWriterStats> state_writer;
  bool passed() const;
};

// Runs the drill on `config`'s vault set through `path`, finishes the path
// and reads the checks that need the record from path.store().
DrillResult RunFailoverDrill(DrillKeyPath& path, const VaultSetConfig& config, const DrillOptions& options);

}  // namespace geoekm
