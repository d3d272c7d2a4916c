// SqliteConnection: owns one sqlite3* handle (libsqlite3's C API) and turns
// SQLite failures into geoekm::Status values (code kStateStoreError).
//
// Error messages carry SQLite's own text and result code, which never contain
// bound parameter values — so no key material or secret can leak through them.
//
// Thread safety: none. A connection is used by one thread at a time; the
// StateStore serialises access with its own mutex.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace geoekm {

class SqliteStatement;

class SqliteConnection {
 public:
  // Opens an EXISTING file read-write (the caller creates it, so that it can
  // choose the permissions); never follows a symlink.
  static Result<SqliteConnection> OpenExisting(const std::string& path);
  // Opens an EXISTING file read-only (SQLITE_OPEN_READONLY): it can never
  // create or write the file, so a reader cannot bypass the 0600 creation
  // or the migrations the read-write connection does first.
  static Result<SqliteConnection> OpenReadOnly(const std::string& path);

  SqliteConnection(SqliteConnection&& other) noexcept;
  SqliteConnection& operator=(SqliteConnection&& other) noexcept;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();

  // Runs one or more statements that return no rows the caller needs.
  Status Exec(std::string_view sql, std::string_view context);
  Result<SqliteStatement> Prepare(std::string_view sql);

  // Status for a failed SQLite call `rc` made while doing `context`.
  Status Error(int rc, std::string_view context) const;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  static Result<SqliteConnection> Open(const std::string& path, int access_flags);

  sqlite3* db_ = nullptr;
  std::string path_;
};

// The Status for SQLite result code `rc` (no connection needed), e.g. when
// opening failed. BUSY/LOCKED map to kTransient, CORRUPT/NOTADB to kIntegrity.
Status SqliteError(int rc, std::string_view context, std::string_view detail);

}  // namespace geoekm
