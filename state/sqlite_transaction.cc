#include "state/sqlite_transaction.h"

#include <utility>

namespace geoekm {

Result<SqliteTransaction> SqliteTransaction::BeginImmediate(SqliteConnection& connection) {
  Status status = connection.Exec("BEGIN IMMEDIATE", "beginning a write transaction");
  if (!status.ok()) return status;
  return SqliteTransaction(&connection);
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)) {}

SqliteTransaction::~SqliteTransaction() {
  // A failed statement may already have ended the transaction; ROLLBACK then
  // fails harmlessly ("no transaction is active").
  if (connection_ != nullptr && sqlite3_get_autocommit(connection_->handle()) == 0) {
    (void)connection_->Exec("ROLLBACK", "rolling back");
  }
}

Status SqliteTransaction::Commit() {
  if (connection_ == nullptr) return Status::Ok();
  Status status = connection_->Exec("COMMIT", "committing");
  if (status.ok()) {
    connection_ = nullptr;
  }
  // On failure the destructor rolls back whatever is still open.
  return status;
}

}  // namespace geoekm
