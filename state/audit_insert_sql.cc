#include "state/audit_insert_sql.h"

namespace geoekm {

std::string AuditInsertSql(std::size_t rows) {
  std::string sql =
      "INSERT INTO operations(time_ms, op, vault, thumbprint, outcome_code, http_status, latency_ms, request_id, "
      "count) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) {
    sql += i ? ", " : "";
    sql += "(?, ?, nullif(?, ''), nullif(?, ''), ?, ?, ?, nullif(?, ''), ?)";
  }
  return sql;
}

}  // namespace geoekm
