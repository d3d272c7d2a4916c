// The state file itself: creation mode, schema and migrations, integrity
// check on open.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "core/error_codes.h"
#include "state/schema_migrations.h"
#include "state/sqlite_connection.h"
#include "state/state_file.h"
#include "state_test_support.h"
#include "unprivileged_child.h"

namespace geoekm {
namespace {

using state_test::MakeBundle;
using state_test::OpenOrDie;
using state_test::TempDir;
using state_test::TwoVaults;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 07777;
  return st.st_mode & 07777;
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string ReadAll(const std::string& path) { return state_test::ReadFileBytes(path); }

void WriteAt(const std::string& path, long offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Answers of a raw read-only query (one text column) through a second connection.
std::vector<std::string> RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(stmt, 0);
        out.emplace_back(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(umask(mask)) {}
  ~UmaskGuard() { umask(old_); }

 private:
  mode_t old_;
};

// The newest schema version this geoekm knows.
const int kNewest = static_cast<int>(StateSchemaMigrations().size());

TEST(StateFile, NewStoreHasTheNewestSchemaAndWalFull) {
  TempDir dir;
  auto store = OpenOrDie({.path = dir.File("state.db")});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), 3);
  EXPECT_EQ(store->schema_version(), kNewest);
  auto tables = RawQuery(dir.File("state.db"), "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name");
  EXPECT_EQ(tables, (std::vector<std::string>{"health_events", "key_versions", "operations", "schema_version",
                                              "vault_key_copies", "vaults"}));
  EXPECT_EQ(RawQuery(dir.File("state.db"), "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  EXPECT_EQ(RawQuery(dir.File("state.db"), "SELECT version FROM schema_version ORDER BY version"),
            (std::vector<std::string>{"1", "2", "3"}));
}

TEST(StateFile, CreatedOwnerOnlyWithWalAndShmEvenUnderPermissiveUmask) {
  UmaskGuard mask(0);  // SQLite alone would create 0666 here
  TempDir dir;
  const std::string path = dir.File("state.db");
  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertVaults(TwoVaults()).ok());  // forces a WAL write
  ASSERT_TRUE(Exists(path + "-wal"));
  ASSERT_TRUE(Exists(path + "-shm"));
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(path + "-wal"), 0600u);
  EXPECT_EQ(ModeOf(path + "-shm"), 0600u);
}

TEST(StateFile, ExistingWideFileAndCompanionsAreTightened) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto store = OpenOrDie({.path = path});
    ASSERT_NE(store, nullptr);
  }
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  // A stale companion left world-readable by someone else.
  { std::ofstream(path + "-journal") << ""; }
  ASSERT_EQ(chmod((path + "-journal").c_str(), 0666), 0);
  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(path + "-journal"), 0600u);
}

TEST(StateFile, SymlinkIsRefused) {
  TempDir dir;
  const std::string target = dir.File("elsewhere.db");
  const std::string link = dir.File("state.db");
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  auto store = StateStore::Open({.path = link});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), codes::kStateStoreError);
  EXPECT_NE(store.status().message().find("symbolic link"), std::string::npos);
  EXPECT_FALSE(Exists(target));
}

TEST(StateFile, MissingDirectoryIsAClearError) {
  TempDir dir;
  auto store = StateStore::Open({.path = dir.File("no/such/dir/state.db")});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), codes::kStateStoreError);
  EXPECT_NE(store.status().message().find("no/such/dir/state.db"), std::string::npos);
}

// Writes a store with data, closes it (checkpointing the WAL into the file).
void WriteSampleStore(const std::string& path) {
  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertVaults(TwoVaults()).ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store->RecordWrapKeyVersion("eastus", MakeBundle("tde", i)).ok());
}

TEST(StateFile, GarbageHeaderFailsIntegrityCheckAndChangesNothing) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  WriteSampleStore(path);
  WriteAt(path, 0, std::string(100, '\x5a'));
  const std::string before = ReadAll(path);

  auto store = StateStore::Open({.path = path});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), codes::kStateStoreError);
  EXPECT_EQ(store.status().error_class(), ErrorClass::kIntegrity);
  EXPECT_NE(store.status().message().find("integrity check"), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("not modified"), std::string::npos);
  EXPECT_EQ(ReadAll(path), before);
}

TEST(StateFile, GarbageInATablePageFailsIntegrityCheckAndChangesNothing) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  WriteSampleStore(path);
  ASSERT_FALSE(Exists(path + "-wal")) << "expected the WAL to be checkpointed on close";
  const auto page_size = std::stol(RawQuery(path, "PRAGMA page_size").at(0));
  const auto root = std::stol(
      RawQuery(path, "SELECT rootpage FROM sqlite_schema WHERE name = 'key_versions'").at(0));
  std::string garbage(static_cast<std::size_t>(page_size) / 2, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) & 0xff);
  WriteAt(path, (root - 1) * page_size + 8, garbage);
  const std::string before = ReadAll(path);

  auto store = StateStore::Open({.path = path});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), codes::kStateStoreError);
  EXPECT_EQ(store.status().error_class(), ErrorClass::kIntegrity);
  EXPECT_EQ(ReadAll(path), before);
}

// What StateStore::Open said, as text a child process can hand back:
// "opened", or the error class and message.
std::string OpenOutcome(const std::string& path) {
  auto store = StateStore::Open({.path = path});
  if (store.ok()) return "opened";
  return std::string(ErrorClassName(store.status().error_class())) + ": " + store.status().message();
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A file the user may not write is a permission problem, never "corrupt"
// (that advice would make an operator throw good history away), and a
// refused file is left exactly as it was.
void ExpectPermissionDeniedAndUntouched(const std::string& outcome, const std::string& path, mode_t mode,
                                        const std::string& before) {
  const auto user = state_test::TargetUser();
  ASSERT_TRUE(user);
  EXPECT_TRUE(Contains(outcome, "permission denied")) << outcome;
  EXPECT_TRUE(Contains(outcome, path)) << outcome;
  EXPECT_TRUE(Contains(outcome, "user " + user->name)) << outcome;
  EXPECT_FALSE(Contains(outcome, "integrity")) << outcome;
  EXPECT_FALSE(Contains(outcome, "move it aside")) << outcome;
  EXPECT_EQ(ModeOf(path), mode);
  EXPECT_EQ(ReadAll(path), before);
  EXPECT_FALSE(Exists(path + "-wal"));
  EXPECT_FALSE(Exists(path + "-shm"));
}

TEST(StateFile, ReadOnlyFileOfTheUserIsPermissionDeniedAndKeepsItsMode) {
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);  // the other user must reach the file
  const std::string path = dir.File("state.db");
  WriteSampleStore(path);
  const auto user = state_test::TargetUser();
  ASSERT_TRUE(user);
  ASSERT_EQ(chown(path.c_str(), user->uid, user->gid), 0);
  ASSERT_EQ(chown(dir.path().c_str(), user->uid, user->gid), 0);
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);
  const std::string before = ReadAll(path);

  const std::string outcome = state_test::RunUnprivileged([&] { return OpenOutcome(path); });
  ExpectPermissionDeniedAndUntouched(outcome, path, 0400, before);
}

TEST(StateFile, AnotherUsersFileIsPermissionDeniedNotCorrupt) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
  for (mode_t mode : {0600, 0644}) {
    SCOPED_TRACE(mode);
    TempDir dir;
    ASSERT_EQ(chmod(dir.path().c_str(), 0777), 0);  // the directory is not the problem here
    const std::string path = dir.File("state.db");
    WriteSampleStore(path);
    ASSERT_EQ(chmod(path.c_str(), mode), 0);  // owned by root
    const std::string before = ReadAll(path);

    const std::string outcome = state_test::RunUnprivileged([&] { return OpenOutcome(path); });
    ExpectPermissionDeniedAndUntouched(outcome, path, mode, before);
  }
}

TEST(StateFile, UnwritableDirectoryIsPermissionDeniedNotCorrupt) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);  // root's: SQLite cannot create -wal/-shm in it
  const std::string path = dir.File("state.db");
  WriteSampleStore(path);
  const auto user = state_test::TargetUser();
  ASSERT_TRUE(user);
  ASSERT_EQ(chown(path.c_str(), user->uid, user->gid), 0);
  const std::string before = ReadAll(path);

  const std::string outcome = state_test::RunUnprivileged([&] { return OpenOutcome(path); });
  ExpectPermissionDeniedAndUntouched(outcome, path, 0600, before);
  EXPECT_TRUE(Contains(outcome, "directory " + dir.path())) << outcome;
}

TEST(StateFile, EmptyPreexistingFileIsMigratedFromVersionZero) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  { std::ofstream(path) << ""; }
  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kNewest);
}

// A migration list as a future geoekm would have it: today's and one more.
std::vector<SchemaMigration> WithNext(std::string_view next_sql) {
  std::vector<SchemaMigration> list(StateSchemaMigrations().begin(), StateSchemaMigrations().end());
  list.push_back({kNewest + 1, "test: vault notes", next_sql});
  return list;
}

TEST(StateSchema, OlderFileIsMigratedAndKeepsItsData) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  WriteSampleStore(path);  // a file of today's version with 20 key versions

  auto connection = SqliteConnection::OpenExisting(path);
  ASSERT_TRUE(connection.ok());
  auto migrations = WithNext("ALTER TABLE vaults ADD COLUMN notes TEXT NOT NULL DEFAULT '';");
  auto version = MigrateStateSchema(*connection, 42, migrations);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, kNewest + 1);
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM key_versions"), std::vector<std::string>{"20"});
  EXPECT_EQ(RawQuery(path, "SELECT notes FROM vaults WHERE name='eastus'"), std::vector<std::string>{""});
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM schema_version"), std::vector<std::string>{std::to_string(kNewest + 1)});
  EXPECT_EQ(RawQuery(path, "SELECT version || ':' || applied_ms FROM schema_version ORDER BY version DESC LIMIT 1"),
            std::vector<std::string>{std::to_string(kNewest + 1) + ":42"});
  // Applying again is a no-op.
  version = MigrateStateSchema(*connection, 43, migrations);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, kNewest + 1);
}

// A file written by a geoekm of schema 1 (no operations.count): opening it
// adds the column, its audit rows read as single calls, and summary rows
// can be written.
TEST(StateSchema, VersionOneFileGetsTheAuditCountColumn) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  ASSERT_TRUE(CreateOrTightenStateFile(path).ok());
  {
    auto connection = SqliteConnection::OpenExisting(path);
    ASSERT_TRUE(connection.ok());
    auto version = MigrateStateSchema(*connection, 42, StateSchemaMigrations().first(1));
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ASSERT_EQ(*version, 1);
    ASSERT_TRUE(connection
                    ->Exec("INSERT INTO vaults(name, url, priority, updated_ms) VALUES ('eastus', 'https://v1', 1, 1);"
                           "INSERT INTO operations(time_ms, op, vault, outcome_code, latency_ms) VALUES "
                           "(unixepoch() * 1000 - 2000, 'unwrap', 'eastus', 0, 5), (unixepoch() * 1000 - 1000, 'unwrap', 'eastus', 0, 7);",
                           "writing a version 1 file")
                    .ok());
  }
  ASSERT_EQ(RawQuery(path, "SELECT count(*) FROM pragma_table_info('operations') WHERE name = 'count'"),
            std::vector<std::string>{"0"});

  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kNewest);
  auto old_rows = store->AuditSince(0);
  ASSERT_TRUE(old_rows.ok());
  ASSERT_EQ(old_rows->size(), 2u);
  for (const AuditRow& r : *old_rows) EXPECT_EQ(r.operation.count, 1);

  OperationRecord summary{VaultCall::kUnwrap, "eastus", "", 0, 200, std::chrono::milliseconds(4), ""};
  summary.count = 10;
  ASSERT_TRUE(store->RecordOperation(summary).ok());
  summary.count = 0;
  EXPECT_EQ(store->RecordOperation(summary).code(), codes::kStateStoreError);  // a row is at least one call
  auto groups = store->AuditSummary(0);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ(groups->front().count, 12);
  EXPECT_EQ(groups->front().total_latency_ms, 5 + 7 + 40);
  EXPECT_EQ(groups->front().max_latency_ms, 7);
  store.reset();
  EXPECT_EQ(RawQuery(path, "SELECT group_concat(count) FROM (SELECT count FROM operations ORDER BY id)"),
            std::vector<std::string>{"1,1,10"});
}

// Version 3 rebuilds the audit table with its op check as comparisons
// (IN (...) cost SQLite a transient index per row written): a version 2
// file keeps every row as it was, with its id, its index and its foreign
// keys, and the check still refuses a word that is not an operation.
TEST(StateSchema, VersionTwoFileKeepsItsAuditThroughTheRebuild) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  ASSERT_TRUE(CreateOrTightenStateFile(path).ok());
  const std::string rows_sql = "SELECT group_concat(id || ':' || op || ':' || coalesce(vault, '-') || ':' || count, ' ') "
                               "FROM (SELECT * FROM operations ORDER BY id)";
  {
    auto connection = SqliteConnection::OpenExisting(path);
    ASSERT_TRUE(connection.ok());
    auto version = MigrateStateSchema(*connection, 42, StateSchemaMigrations().first(2));
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ASSERT_EQ(*version, 2);
    ASSERT_TRUE(connection
                    ->Exec("PRAGMA foreign_keys=ON;"
                           "INSERT INTO vaults(name, url, priority, updated_ms) VALUES ('eastus', 'https://v1', 1, 1);"
                           "INSERT INTO operations(id, time_ms, op, vault, outcome_code, latency_ms, count) VALUES "
                           "(7, unixepoch() * 1000 - 3000, 'unwrap', 'eastus', 0, 5, 1), "
                           "(9, unixepoch() * 1000 - 2000, 'probe', NULL, 0, 7, 4), "
                           "(12, unixepoch() * 1000 - 1000, 'rotate', 'eastus', 0, 9, 1);",
                           "writing a version 2 file")
                    .ok());
  }
  ASSERT_EQ(RawQuery(path, rows_sql), std::vector<std::string>{"7:unwrap:eastus:1 9:probe:-:4 12:rotate:eastus:1"});

  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), 3);
  store.reset();
  EXPECT_EQ(RawQuery(path, rows_sql), std::vector<std::string>{"7:unwrap:eastus:1 9:probe:-:4 12:rotate:eastus:1"});
  EXPECT_EQ(RawQuery(path, "SELECT name FROM sqlite_schema WHERE tbl_name = 'operations' AND type = 'index'"),
            std::vector<std::string>{"operations_by_time"});
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'operations_v3'"),
            std::vector<std::string>{"0"});
  const std::vector<std::string> table_sql =
      RawQuery(path, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'operations'");
  ASSERT_EQ(table_sql.size(), 1u);
  EXPECT_EQ(table_sql[0].find("op IN"), std::string::npos) << table_sql[0];
  EXPECT_EQ(RawQuery(path, "SELECT group_concat(\"table\" || '.' || \"to\", ' ') FROM "
                           "(SELECT * FROM pragma_foreign_key_list('operations') ORDER BY \"table\")"),
            std::vector<std::string>{"key_versions.thumbprint vaults.name"});

  auto connection = SqliteConnection::OpenExisting(path);
  ASSERT_TRUE(connection.ok());
  EXPECT_FALSE(connection
                   ->Exec("INSERT INTO operations(time_ms, op, outcome_code, latency_ms) VALUES (1, 'unwrapx', 0, 1)",
                          "an op that is not one")
                   .ok());
  for (const char* op : {"wrap", "unwrap", "get-key", "list-versions", "probe", "verify", "backup", "restore",
                         "import", "create", "rotate", "update"}) {
    EXPECT_TRUE(connection
                    ->Exec(std::string("INSERT INTO operations(time_ms, op, outcome_code, latency_ms) VALUES (1, '") +
                               op + "', 0, 1)",
                           op)
                    .ok())
        << op;
  }
}

TEST(StateSchema, FailingMigrationLeavesThePreviousVersion) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  WriteSampleStore(path);
  auto connection = SqliteConnection::OpenExisting(path);
  ASSERT_TRUE(connection.ok());
  // The first statement would succeed, the second fails: nothing may remain.
  auto version = MigrateStateSchema(*connection, 42,
                                    WithNext("CREATE TABLE half_done(x INTEGER); INSERT INTO no_such_table VALUES (1);"));
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), codes::kStateStoreError);
  EXPECT_EQ(RawQuery(path, "SELECT max(version) FROM schema_version"), std::vector<std::string>{std::to_string(kNewest)});
  EXPECT_TRUE(RawQuery(path, "SELECT name FROM sqlite_schema WHERE name='half_done'").empty());
}

TEST(StateSchema, NewerFileIsRefused) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto connection = SqliteConnection::OpenExisting((WriteSampleStore(path), path));
    ASSERT_TRUE(connection.ok());
    ASSERT_TRUE(MigrateStateSchema(*connection, 42, WithNext("CREATE TABLE future(x INTEGER);")).ok());
  }
  auto store = StateStore::Open({.path = path});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), codes::kStateStoreError);
  EXPECT_NE(store.status().message().find("newer than this geoekm"), std::string::npos)
      << store.status().message();
}

}  // namespace
}  // namespace geoekm
