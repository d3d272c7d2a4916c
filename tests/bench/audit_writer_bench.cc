// What one audit row costs: the state writer thread's CPU per row of a
// router call's audit (StateWriter over a real SQLite state file, default
// options: rows committed 512 at a time, the thread woken for each 512), next to
// the bare SQLite work for the same rows measured in the same run — the same
// INSERT (state/audit_insert_sql.h), 32 rows to a statement and 512 to a commit, through the
// sqlite3 C API into a file with the same schema (copied from the store's
// own file), WAL and synchronous=FULL like the store.
//
// Each iteration hands 64 rows to the writer the way the router's state
// recorder does (an unwrap on eastus: op, vault, thumbprint, outcome, HTTP
// status, latency, request id, start time), writes the same 64 rows through
// bare SQLite on the calling thread, and then waits 2 ms, so the writer
// wakes for each 64 as it does under a steady stream of requests instead of
// finding a full queue; both see the same moments of the machine. The writer's CPU comes from
// /proc/self/task/<tid>/schedstat of the thread named "geoekm-writer"; the
// caller's (what RecordOperation costs the request thread) from its own CPU
// clock.
//
// Run: build/default/tests/bench/audit_writer_bench --benchmark_repetitions=3 (about 10 s)
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "state/audit_insert_sql.h"
#include "state/state_store.h"
#include "state/state_writer.h"
#include "tests/bench/or_throw.h"
#include "tests/bench/thread_cpu.h"
#include "tests/state/state_test_support.h"

namespace geoekm {
namespace {

constexpr std::size_t kRowsPerIteration = 64;

// A recorded key version of "tde" (fake RSA material, real thumbprint).
KeyBundle Version() { return state_test::MakeBundle("tde", 7, "eastus"); }

std::string RequestId(std::size_t i) {
  char id[37];
  std::snprintf(id, sizeof id, "%08zx-0000-4000-8000-%012zx", i, i);
  return id;
}

OperationRecord Row(const KeyBundle& version, std::size_t i) {
  OperationRecord op;
  op.op = VaultCall::kUnwrap;
  op.vault = "eastus";
  op.thumbprint = version.thumbprint;
  op.outcome_code = 0;
  op.http_status = 200;
  op.latency = std::chrono::milliseconds(1);
  op.request_id = RequestId(i);
  op.started_ms = 1'780'000'000'000 + static_cast<std::int64_t>(i);
  return op;
}

struct Store {
  state_test::TempDir dir;
  std::shared_ptr<StateStore> store;
  KeyBundle version = Version();
  Store() {
    StateStoreOptions options;
    options.path = dir.File("state.db");
    store = OrThrow(StateStore::Open(options));
    OrThrow(store->UpsertVaults({VaultRecord{"eastus", "https://eastus.vault.azure.net", "eastus", "US", 1, {}, {}}}));
    OrThrow(store->RecordWrapKeyVersion("eastus", version));
  }
};

// The baseline: the same rows through the sqlite3 C API, nothing else, into
// a file with the store's own schema.
class BareSqlite {
 public:
  BareSqlite(const std::string& store_file, const std::string& path, const std::string& thumbprint) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");
    Exec("PRAGMA foreign_keys=ON");
    sqlite3* source = nullptr;
    sqlite3_open_v2(store_file.c_str(), &source, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(source, "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid", -1, &q, nullptr);
    while (sqlite3_step(q) == SQLITE_ROW) Exec(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
    sqlite3_finalize(q);
    sqlite3_close(source);
    Exec("INSERT INTO vaults(name, url, region, geography, priority, updated_ms) "
         "VALUES ('eastus', 'https://eastus.vault.azure.net', 'eastus', 'US', 1, 0)");
    Exec("INSERT INTO key_versions(thumbprint, key_name, kty, size_bits, n, e, first_seen_ms) VALUES ('" + thumbprint +
         "', 'tde', 'RSA', 2048, 'n', 'AQAB', 0)");
    sql_ = AuditInsertSql(kPerInsert);
  }
  ~BareSqlite() { sqlite3_close(db_); }

  // Buffers the row; writes and commits every kPerCommit rows, as the store does.
  void Record(OperationRecord row) {
    pending_.push_back(std::move(row));
    if (pending_.size() >= kPerCommit) Write();
  }

  std::int64_t Rows() {
    sqlite3_stmt* count = nullptr;
    sqlite3_prepare_v2(db_, "SELECT count(*) FROM operations", -1, &count, nullptr);
    const std::int64_t n = sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : -1;
    sqlite3_finalize(count);
    return n;
  }

 private:
  static constexpr std::size_t kPerInsert = kAuditRowsPerInsert, kPerCommit = 512;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(sql + ": " + message);
    }
  }

  void Write() {
    Exec("BEGIN IMMEDIATE");
    sqlite3_stmt* insert = nullptr;
    if (sqlite3_prepare_v2(db_, sql_.c_str(), -1, &insert, nullptr) != SQLITE_OK) throw std::runtime_error("prepare");
    for (std::size_t done = 0; done + kPerInsert <= pending_.size(); done += kPerInsert) {
      sqlite3_reset(insert);
      for (std::size_t r = 0; r < kPerInsert; ++r) {
        const OperationRecord& o = pending_[done + r];
        const int b = static_cast<int>(r) * kAuditColumns + 1;
        sqlite3_bind_int64(insert, b, o.started_ms);
        sqlite3_bind_text(insert, b + 1, "unwrap", -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, b + 2, o.vault.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, b + 3, o.thumbprint.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, b + 4, o.outcome_code);
        sqlite3_bind_int64(insert, b + 5, o.http_status);
        sqlite3_bind_int64(insert, b + 6, o.latency.count());
        sqlite3_bind_text(insert, b + 7, o.request_id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, b + 8, o.count);
      }
      if (sqlite3_step(insert) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
    }
    sqlite3_finalize(insert);
    Exec("COMMIT");
    pending_.clear();
  }

  sqlite3* db_ = nullptr;
  std::string sql_;
  std::vector<OperationRecord> pending_;
};

// Both in every iteration, at the same moments: 64 rows to the writer, the
// same 64 rows to bare SQLite (on this thread), then a 2 ms pause.
void BM_AuditRowWriterVsBareSqlite(benchmark::State& state) {
  Store s;
  state_test::TempDir bare_dir;
  BareSqlite bare(s.dir.File("state.db"), bare_dir.File("bare.db"), s.version.thumbprint);
  StateWriter writer(s.store);
  std::size_t rows = 0;
  double caller_us = 0, bare_us = 0;
  const double writer_start = CpuByThreadName()["geoekm-writer"];
  for (auto _ : state) {
    const double start = ThreadCpuMicros();
    for (std::size_t i = 0; i < kRowsPerIteration; ++i) writer.RecordOperation(Row(s.version, rows + i));
    const double handed = ThreadCpuMicros();
    for (std::size_t i = 0; i < kRowsPerIteration; ++i) bare.Record(Row(s.version, rows + i));
    bare_us += ThreadCpuMicros() - handed;
    caller_us += handed - start;
    rows += kRowsPerIteration;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  writer.Flush();
  const double writer_us = CpuByThreadName()["geoekm-writer"] - writer_start;
  if (writer.stats().audit_rows_coalesced != 0) state.SkipWithError("rows were coalesced: the writer fell behind");
  if (OrThrow(s.store->AuditSince(0, 1)).empty() || (rows >= 512 && bare.Rows() <= 0)) {
    state.SkipWithError("no audit row was written");
  }
  const double n = static_cast<double>(rows);
  state.counters["writer_us_per_row"] = writer_us / n;
  state.counters["caller_us_per_row"] = caller_us / n;
  state.counters["bare_sqlite_us_per_row"] = bare_us / n;
  state.counters["writer_plus_caller_vs_bare"] = (writer_us + caller_us) / bare_us;
}

BENCHMARK(BM_AuditRowWriterVsBareSqlite)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

}  // namespace
}  // namespace geoekm

BENCHMARK_MAIN();
