#include "state/sqlite_connection.h"

#include <utility>

#include "core/error_codes.h"
#include "state/sqlite_statement.h"

namespace geoekm {

Status SqliteError(int rc, std::string_view context, std::string_view detail) {
  ErrorClass cls = ErrorClass::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      cls = ErrorClass::kTransient;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      cls = ErrorClass::kIntegrity;
      break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      cls = ErrorClass::kInvalidInput;
      break;
    default:
      break;
  }
  std::string message = "state store: " + std::string(context) + ": " + std::string(detail) + " (SQLite " +
                        sqlite3_errstr(rc) + ", code " + std::to_string(rc) + ")";
  return Status(codes::kStateStoreError, cls, std::move(message));
}

Result<SqliteConnection> SqliteConnection::OpenExisting(const std::string& path) {
  return Open(path, SQLITE_OPEN_READWRITE);
}

Result<SqliteConnection> SqliteConnection::OpenReadOnly(const std::string& path) {
  return Open(path, SQLITE_OPEN_READONLY);
}

Result<SqliteConnection> SqliteConnection::Open(const std::string& path, int access_flags) {
  sqlite3* db = nullptr;
  const int flags = access_flags | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close_v2(db);
    return SqliteError(rc, "opening " + path, detail);
  }
  sqlite3_extended_result_codes(db, 1);
  return SqliteConnection(db, path);
}

SqliteConnection::SqliteConnection(SqliteConnection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteConnection& SqliteConnection::operator=(SqliteConnection&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

SqliteConnection::~SqliteConnection() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status SqliteConnection::Exec(std::string_view sql, std::string_view context) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string detail = err != nullptr ? err : sqlite3_errmsg(db_);
  sqlite3_free(err);
  return SqliteError(rc, context, detail);
}

Result<SqliteStatement> SqliteConnection::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, "preparing a statement");
  }
  return SqliteStatement(this, stmt);
}

Status SqliteConnection::Error(int rc, std::string_view context) const {
  return SqliteError(rc, context, db_ != nullptr ? sqlite3_errmsg(db_) : "no connection");
}

}  // namespace geoekm
