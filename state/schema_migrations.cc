#include "state/schema_migrations.h"

#include <string>

#include "core/error_codes.h"
#include "state/sqlite_statement.h"
#include "state/sqlite_transaction.h"

namespace geoekm {
namespace {

// Times are unix milliseconds in columns named *_ms (our own stamps) and unix
// seconds in created/nbf/exp (the vault's attributes, as the vault gives them).
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE vaults (
  name          TEXT PRIMARY KEY NOT NULL,
  url           TEXT NOT NULL,
  region        TEXT NOT NULL DEFAULT '',
  geography     TEXT NOT NULL DEFAULT '',
  priority      INTEGER NOT NULL,
  health_state  TEXT NOT NULL DEFAULT 'unknown',
  health_since_ms INTEGER,
  updated_ms    INTEGER NOT NULL
) STRICT;

CREATE TABLE health_events (
  id            INTEGER PRIMARY KEY,
  time_ms       INTEGER NOT NULL,
  vault         TEXT NOT NULL REFERENCES vaults(name),
  from_state    TEXT NOT NULL,
  to_state      TEXT NOT NULL,
  reason        TEXT NOT NULL DEFAULT '',
  error_code    INTEGER NOT NULL DEFAULT 0,
  http_status   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX health_events_by_time ON health_events(time_ms);
CREATE INDEX health_events_by_vault ON health_events(vault, time_ms);

-- Every key version geoekm ever saw or used; rows are never deleted.
CREATE TABLE key_versions (
  thumbprint    TEXT PRIMARY KEY NOT NULL CHECK (length(thumbprint) = 43),
  key_name      TEXT NOT NULL,
  kty           TEXT NOT NULL,
  size_bits     INTEGER NOT NULL,
  n             TEXT NOT NULL,
  e             TEXT NOT NULL,
  created       INTEGER,            -- vault attribute, unix seconds; NULL = unknown
  first_seen_ms INTEGER NOT NULL,
  first_wrap_ms INTEGER,            -- NULL = never wrapped, or unknown after a rebuild
  last_wrap_ms  INTEGER
) STRICT;
CREATE INDEX key_versions_by_name ON key_versions(key_name, created);

CREATE TABLE vault_key_copies (
  vault         TEXT NOT NULL REFERENCES vaults(name),
  thumbprint    TEXT NOT NULL REFERENCES key_versions(thumbprint),
  kid           TEXT NOT NULL DEFAULT '',
  version_id    TEXT NOT NULL DEFAULT '',
  enabled       INTEGER,
  nbf           INTEGER,
  exp           INTEGER,
  key_ops       TEXT NOT NULL DEFAULT '',   -- comma-separated
  last_verified_ms INTEGER,
  status        TEXT NOT NULL CHECK (status IN ('unverified', 'verified', 'missing', 'mismatch', 'quarantined')),
  observed_thumbprint TEXT,               -- what the vault holds instead, for 'mismatch'
  detail        TEXT NOT NULL DEFAULT '',
  updated_ms    INTEGER NOT NULL,
  PRIMARY KEY (vault, thumbprint)
) STRICT;
CREATE INDEX vault_key_copies_by_kid ON vault_key_copies(kid);

-- Audit of operations. Deliberately no column can hold a payload: the op is
-- an enumerated word, the thumbprint must name a known key version, the
-- request id is a GUID, everything else is a number.
CREATE TABLE operations (
  id            INTEGER PRIMARY KEY,
  time_ms       INTEGER NOT NULL,
  op            TEXT NOT NULL CHECK (op IN ('wrap', 'unwrap', 'get-key', 'list-versions', 'probe', 'verify',
                                            'backup', 'restore', 'import', 'create', 'rotate', 'update')),
  vault         TEXT REFERENCES vaults(name),
  thumbprint    TEXT REFERENCES key_versions(thumbprint),
  outcome_code  INTEGER NOT NULL,
  http_status   INTEGER NOT NULL DEFAULT 0,
  latency_ms    INTEGER NOT NULL,
  request_id    TEXT CHECK (request_id IS NULL OR length(request_id) = 36)
) STRICT;
CREATE INDEX operations_by_time ON operations(time_ms);
)sql";

// A row of the audit may stand for several calls of one kind: when the
// writer's queue is full, the calls it cannot queue one by one are summarised
// (state/state_writer.h) as one row with their number here, the earliest
// start in time_ms and their mean latency in latency_ms. Existing rows are
// single calls.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE operations ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
)sql";

// The audit table rebuilt (SQLite cannot change a CHECK in place) with the
// same columns, rows, index and allowed words, its op check written as
// comparisons: `op IN (...)` made SQLite build a transient index of the
// twelve words for every row inserted, about 40 % of the CPU of writing an
// audit row, which the writer thread spends on every vault call.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE operations_v3 (
  id            INTEGER PRIMARY KEY,
  time_ms       INTEGER NOT NULL,
  op            TEXT NOT NULL CHECK (op = 'wrap' OR op = 'unwrap' OR op = 'get-key' OR op = 'list-versions' OR
                                     op = 'probe' OR op = 'verify' OR op = 'backup' OR op = 'restore' OR
                                     op = 'import' OR op = 'create' OR op = 'rotate' OR op = 'update'),
  vault         TEXT REFERENCES vaults(name),
  thumbprint    TEXT REFERENCES key_versions(thumbprint),
  outcome_code  INTEGER NOT NULL,
  http_status   INTEGER NOT NULL DEFAULT 0,
  latency_ms    INTEGER NOT NULL,
  request_id    TEXT CHECK (request_id IS NULL OR length(request_id) = 36),
  count         INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1)
) STRICT;
INSERT INTO operations_v3(id, time_ms, op, vault, thumbprint, outcome_code, http_status, latency_ms, request_id, count)
  SELECT id, time_ms, op, vault, thumbprint, outcome_code, http_status, latency_ms, request_id, count FROM operations;
DROP TABLE operations;
ALTER TABLE operations_v3 RENAME TO operations;
CREATE INDEX operations_by_time ON operations(time_ms);
)sql";

constexpr SchemaMigration kMigrations[] = {
    {1, "vaults, health events, key versions, vault key copies, operations audit", kSchemaV1},
    {2, "operations.count: one audit row summarises calls coalesced under overload", kSchemaV2},
    {3, "operations: the op check as comparisons, not IN (...), which cost SQLite an index per row", kSchemaV3},
};

constexpr std::string_view kCreateSchemaVersion = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version     INTEGER PRIMARY KEY NOT NULL,
  applied_ms  INTEGER NOT NULL,
  summary     TEXT NOT NULL
))sql";

Status SchemaError(std::string message) {
  return Status(codes::kStateStoreError, ErrorClass::kIntegrity, "state store: " + std::move(message));
}

}  // namespace

std::span<const SchemaMigration> StateSchemaMigrations() { return kMigrations; }

Result<int> CurrentSchemaVersion(SqliteConnection& connection) {
  auto exists = connection.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  if (!exists.ok()) return exists.status();
  auto has_table = exists->Step();
  if (!has_table.ok()) return has_table.status();
  if (!*has_table) return 0;
  auto max = connection.Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!max.ok()) return max.status();
  auto row = max->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(max->Int64(0));
}

Result<int> MigrateStateSchema(SqliteConnection& connection, std::int64_t now_ms,
                               std::span<const SchemaMigration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status(codes::kStateStoreError, ErrorClass::kInternal,
                    "state store: migration list is not numbered 1..N without gaps");
    }
  }
  const int newest = static_cast<int>(migrations.size());

  auto current = CurrentSchemaVersion(connection);
  if (!current.ok()) return current.status();
  if (*current > newest) {
    return SchemaError("the file " + connection.path() + " has schema version " + std::to_string(*current) +
                       ", newer than this geoekm understands (" + std::to_string(newest) +
                       "); use the newer geoekm or restore a matching backup");
  }

  for (const SchemaMigration& migration : migrations) {
    // Up-to-date files are checked without the write lock, so opening never
    // waits for another process's writer.
    if (migration.version <= *current) continue;
    auto tx = SqliteTransaction::BeginImmediate(connection);
    if (!tx.ok()) return tx.status();
    // Re-read under the write lock: another process may have migrated
    // between our check and our lock.
    Status status = connection.Exec(kCreateSchemaVersion, "creating schema_version");
    if (!status.ok()) return status;
    auto version = CurrentSchemaVersion(connection);
    if (!version.ok()) return version.status();
    if (*version >= migration.version) continue;  // rolls back the no-op tx
    status = connection.Exec(migration.sql, "applying schema migration " + std::to_string(migration.version));
    if (!status.ok()) return status;
    auto record = connection.Prepare("INSERT INTO schema_version(version, applied_ms, summary) VALUES (?, ?, ?)");
    if (!record.ok()) return record.status();
    record->BindAll(static_cast<std::int64_t>(migration.version), now_ms, migration.summary);
    status = record->Run();
    if (!status.ok()) return status;
    status = tx->Commit();
    if (!status.ok()) return status;
  }
  return CurrentSchemaVersion(connection);
}

}  // namespace geoekm

