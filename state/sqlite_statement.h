// SqliteStatement: one prepared statement (sqlite3_stmt*), finalised on
// destruction. Parameters are 1-based as in SQLite, columns 0-based.
//
// Thread safety: none; belongs to the connection's user.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace geoekm {

class SqliteConnection;

class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Text that SQLite reads where it lies instead of copying it
  // (SQLITE_STATIC): it must stay unchanged until the statement has run and
  // its bindings are cleared (ClearBindings) or bound again. For rows
  // written many at a time from buffers that outlive the statement's run
  // (the audit): SQLite's copy of each text was an allocation per column.
  struct Borrowed {
    std::string_view text;
  };

  // Bind errors (index out of range, out of memory) surface on Step/Run.
  SqliteStatement& Bind(int index, std::int64_t value);
  SqliteStatement& Bind(int index, std::string_view text);  // copied by SQLite
  SqliteStatement& Bind(int index, Borrowed text);
  SqliteStatement& Bind(int index, const std::optional<std::int64_t>& value);
  SqliteStatement& Bind(int index, const std::optional<bool>& value);
  SqliteStatement& BindNull(int index);

  // Binds every argument in order, starting at parameter 1.
  template <typename... Args>
  SqliteStatement& BindAll(const Args&... args) {
    return BindFrom(1, args...);
  }
  // Binds every argument in order, starting at parameter `first` (one row of
  // a multi-row INSERT).
  template <typename... Args>
  SqliteStatement& BindFrom(int first, const Args&... args) {
    int index = first - 1;
    (Bind(++index, args), ...);
    return *this;
  }

  // true = a row is available, false = done.
  Result<bool> Step();
  // Steps to completion; for statements that return no rows.
  Status Run();
  // Makes the statement reusable (bindings are kept).
  void Reset();
  // Binds NULL to every parameter: nothing borrowed is referred to after it.
  void ClearBindings();

  bool IsNull(int column) const;
  std::int64_t Int64(int column) const;
  std::optional<std::int64_t> OptionalInt64(int column) const;
  std::optional<bool> OptionalBool(int column) const;
  std::string Text(int column) const;  // "" for NULL

 private:
  friend class SqliteConnection;
  SqliteStatement(SqliteConnection* connection, sqlite3_stmt* stmt) : connection_(connection), stmt_(stmt) {}

  SqliteConnection* connection_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = SQLITE_OK;
};

}  // namespace geoekm
