// The state store's schema as an ordered list of migrations, and the code
// that brings a file up to date.
//
// A file records the versions applied in table schema_version (one row per
// migration, with when and what). Opening a file applies, in order, every
// migration whose version is above the file's current version; each
// migration runs in its own IMMEDIATE transaction together with its
// schema_version row, so a crash or failure leaves the file at the previous
// version, never half-migrated. A file whose version is above the newest
// migration this binary knows is refused (an older geoekm must not write to
// a newer schema).
//
// Migrations are append-only: never edit a released one, add the next.
//
// Thread safety: functions; the caller owns the connection.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"
#include "state/sqlite_connection.h"

namespace geoekm {

struct SchemaMigration {
  int version;               // 1, 2, 3 ... strictly increasing, no gaps
  std::string_view summary;  // recorded in schema_version
  std::string_view sql;      // one or more statements
};

// geoekm's migrations, oldest first.
std::span<const SchemaMigration> StateSchemaMigrations();

// The version recorded in the file (0 for a file without schema_version).
Result<int> CurrentSchemaVersion(SqliteConnection& connection);

// Applies the pending migrations of `migrations` (default: geoekm's) and
// returns the resulting version. `now_ms` stamps the schema_version rows.
Result<int> MigrateStateSchema(SqliteConnection& connection, std::int64_t now_ms,
                               std::span<const SchemaMigration> migrations = StateSchemaMigrations());

}  // namespace geoekm
