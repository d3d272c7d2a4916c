// The statement that writes audit rows into the `operations` table, several
// rows to one INSERT. The store uses it; a benchmark writes the same rows
// through bare SQLite with it, as a baseline.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>

namespace geoekm {

// Audit rows go into the table up to this many per INSERT: SQLite then
// steps one statement for many rows instead of one per row.
inline constexpr std::size_t kAuditRowsPerInsert = 32;
// Parameters per row, in this order: time_ms, op, vault ("" = NULL),
// thumbprint ("" = NULL), outcome_code, http_status, latency_ms, request_id
// ("" = NULL), count. The thumbprint must name a key version the store holds
// (a foreign key): the caller binds "" for one it does not hold any more.
// Checked by the caller, not by a sub-select per row, which cost SQLite
// about a fifth of its work per row.
inline constexpr int kAuditColumns = 9;

// INSERT INTO operations(...) VALUES (...), ... with `rows` rows of
// kAuditColumns parameters each.
std::string AuditInsertSql(std::size_t rows);

}  // namespace geoekm
