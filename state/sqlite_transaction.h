// SqliteTransaction: a write transaction begun with BEGIN IMMEDIATE (takes
// the write lock up front, so a concurrent writer in another process waits
// in busy_timeout instead of failing half-way), rolled back on destruction
// unless committed.
//
// With synchronous=FULL in WAL mode, Commit() returning OK means the
// transaction is on stable storage.
//
// Thread safety: none; used by the thread that owns the connection.
#pragma once

#include "core/result.h"
#include "core/status.h"
#include "state/sqlite_connection.h"

namespace geoekm {

class SqliteTransaction {
 public:
  static Result<SqliteTransaction> BeginImmediate(SqliteConnection& connection);

  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();

  Status Commit();

 private:
  explicit SqliteTransaction(SqliteConnection* connection) : connection_(connection) {}

  SqliteConnection* connection_;  // null once committed, rolled back or moved from
};

}  // namespace geoekm
