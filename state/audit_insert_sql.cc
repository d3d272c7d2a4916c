#include "state/audit_insert_sql.h"

namespace geoekm {

std::string AuditInsertSql(std::size_t rows) {
  // The thumbprint was checked against the store when the row was buffered;
  // if its version was recorded in a batch that then failed, the row is
  // written without it rather than failing every later flush.
  std::string sql =
      "INSERT INTO operations(time_ms, op, vault, thumbprint, outcome_code, http_status, latency_ms, request_id, "
      "count) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) {
    sql += i ? ", " : "";
    sql += "(?, ?, nullif(?, ''), (SELECT thumbprint FROM key_versions WHERE thumbprint = ?), ?, ?, ?, "
           "nullif(?, ''), ?)";
  }
  return sql;
}

}  // namespace geoekm
