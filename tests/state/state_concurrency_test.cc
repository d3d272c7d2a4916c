// Many threads, several connections and several processes on one state
// file, and a process SIGKILLed in the middle of committing key versions.
#include <poll.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "state/schema_migrations.h"
#include "state_test_support.h"

namespace geoekm {
namespace {

using state_test::MakeBundle;
using state_test::OpenOrDie;
using state_test::TempDir;
using state_test::TwoVaults;

// Kills and reaps a child on scope exit, so a failing test leaves no process.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ~ChildGuard() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // Waits for a normal exit; returns the exit status, or 1000 + the signal
  // that ended the child.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
  }
  void Kill() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

// The work one writer does; returns the number of failed calls.
int WriterWork(StateStore& store, int writer, int count) {
  int failures = 0;
  const std::string vault = (writer % 2 == 0) ? "eastus" : "westus";
  for (int i = 0; i < count; ++i) {
    const KeyBundle v = MakeBundle("tde", static_cast<std::uint64_t>(writer) * 100000 + static_cast<std::uint64_t>(i));
    if (!store.RecordWrapKeyVersion(vault, v).ok()) ++failures;
    if (!store.RecordOperation({VaultCall::kWrap, vault, v.thumbprint, 0, 200, std::chrono::milliseconds(i), ""})
             .ok()) {
      ++failures;
    }
    if (i % 10 == 0 &&
        !store.RecordHealthTransition({vault, VaultHealthState::kHealthy, VaultHealthState::kSuspect, "writer", 0, 0}).ok()) {
      ++failures;
    }
  }
  if (!store.FlushAudit().ok()) ++failures;
  return failures;
}

TEST(StateConcurrency, ManyThreadsOnOneStoreAndASecondConnection) {
  TempDir dir;
  auto first = OpenOrDie({.path = dir.File("state.db")});
  auto second = OpenOrDie({.path = dir.File("state.db")});
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->UpsertVaults(TwoVaults()).ok());

  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    StateStore& store = (t < kThreads / 2) ? *first : *second;
    threads.emplace_back([&store, &failures, t] { failures[t] = WriterWork(store, t, kPerThread); });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;

  auto history = second->KeyHistory("tde");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), static_cast<std::size_t>(kThreads * kPerThread));
  auto audit = first->AuditSince(0, 100000);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), static_cast<std::size_t>(kThreads * kPerThread));
  auto events = first->HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), static_cast<std::size_t>(kThreads * (kPerThread / 10)));
  EXPECT_TRUE(first->CheckIntegrity().ok());
}

TEST(StateConcurrency, TwoProcessesCreateAndWriteTheSameFile) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  int gate[2];
  ASSERT_EQ(pipe(gate), 0);
  constexpr int kPerProcess = 60;
  std::vector<std::unique_ptr<ChildGuard>> children;
  for (int p = 0; p < 2; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(gate[1]);
      char go;
      if (read(gate[0], &go, 1) != 1) _exit(3);
      // Both processes create/migrate the fresh file at the same moment.
      StateStoreOptions o;
      o.path = path;
      o.audit_batch_rows = 1;
      auto store = StateStore::Open(o);
      if (!store.ok()) {
        std::fprintf(stderr, "child %d: %s\n", p, store.status().ToString().c_str());
        _exit(2);
      }
      if (Status s = (*store)->UpsertVaults(TwoVaults()); !s.ok()) {
        std::fprintf(stderr, "child %d: %s\n", p, s.ToString().c_str());
        _exit(2);
      }
      const int failures = WriterWork(**store, 100 + p, kPerProcess);
      _exit(failures == 0 ? 0 : 1);
    }
    children.push_back(std::make_unique<ChildGuard>(pid));
  }
  close(gate[0]);
  ASSERT_EQ(write(gate[1], "gg", 2), 2);
  close(gate[1]);
  for (auto& child : children) EXPECT_EQ(child->Wait(), 0);

  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  auto history = store->KeyHistory("tde");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u * kPerProcess);
  auto audit = store->AuditSince(0, 100000);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 2u * kPerProcess);
  EXPECT_EQ(store->schema_version(), static_cast<int>(StateSchemaMigrations().size()));
}

// Another process (the CLI, say) holding the write lock: the store waits up
// to busy_timeout, then fails cleanly (transient 5007) without a partial write.
TEST(StateConcurrency, WriterWaitsForAnotherProcesssLockWithinBusyTimeout) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  StateStoreOptions patient;
  patient.path = path;
  patient.busy_timeout = std::chrono::milliseconds(10'000);
  auto store = OpenOrDie(patient);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertVaults(TwoVaults()).ok());

  int locked[2];
  int release[2];
  ASSERT_EQ(pipe(locked), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) _exit(2);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) _exit(2);
    if (write(locked[1], "L", 1) != 1) _exit(2);
    char c;
    if (read(release[0], &c, 1) != 1) _exit(2);  // hold the lock until told
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    _exit(0);
  }
  ChildGuard child(pid);
  char c;
  ASSERT_EQ(read(locked[0], &c, 1), 1);

  // An impatient second handle gives up with a clear, retryable error.
  StateStoreOptions impatient = patient;
  impatient.busy_timeout = std::chrono::milliseconds(50);
  auto hasty = OpenOrDie(impatient);
  ASSERT_NE(hasty, nullptr);
  const KeyBundle blocked = MakeBundle("tde", 1);
  Status s = hasty->RecordWrapKeyVersion("eastus", blocked);
  EXPECT_EQ(s.code(), 5007);
  EXPECT_EQ(s.error_class(), ErrorClass::kTransient);
  EXPECT_NE(s.message().find("locked"), std::string::npos) << s.message();

  // The patient store waits for the release and commits.
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    (void)!write(release[1], "R", 1);
  });
  const KeyBundle waited = MakeBundle("tde", 2);
  Status ok = store->RecordWrapKeyVersion("eastus", waited);
  releaser.join();
  EXPECT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(child.Wait(), 0);
  auto row = store->FindKeyVersion(waited.thumbprint);
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(row->has_value());
  auto none = store->FindKeyVersion(blocked.thumbprint);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  for (int fd : {locked[0], locked[1], release[0], release[1]}) close(fd);
}

// The child of the crash test: commits key versions forever and reports
// each one on `out` only after RecordWrapKeyVersion returned OK.
[[noreturn]] void CommitForever(const std::string& path, int out, std::uint64_t first_seed) {
  StateStoreOptions o;
  o.path = path;
  auto store = StateStore::Open(o);
  if (!store.ok()) _exit(2);
  if (!(*store)->UpsertVaults(TwoVaults()).ok()) _exit(2);
  for (std::uint64_t seed = first_seed;; ++seed) {
    const KeyBundle v = MakeBundle("tde", seed);
    if (!(*store)->RecordWrapKeyVersion(seed % 2 ? "eastus" : "westus", v).ok()) _exit(1);
    (void)(*store)->RecordOperation({VaultCall::kWrap, "eastus", v.thumbprint, 0, 200, {}, ""});
    const std::string line = "committed " + v.thumbprint + "\n";
    if (write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(1);
  }
}

TEST(StateConcurrency, SigkilledWriterNeverLosesAReportedCommit) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::mt19937 rng(std::random_device{}());
  constexpr int kKills = 25;
  std::vector<std::string> committed;
  int killed_mid_run = 0;

  for (int round = 0; round < kKills; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      CommitForever(path, fds[1], static_cast<std::uint64_t>(round) * 1'000'000);
    }
    ChildGuard child(pid);
    close(fds[1]);
    std::string output;
    char buf[4096];
    if (round % 4 != 0) {
      // Wait for the first commit, then kill somewhere in the commit loop.
      while (output.find('\n') == std::string::npos) {
        pollfd p{fds[0], POLLIN, 0};
        ASSERT_EQ(poll(&p, 1, 10'000), 1) << "round " << round << ": child reported nothing";
        const ssize_t n = read(fds[0], buf, sizeof buf);
        ASSERT_GT(n, 0) << "round " << round << ": child ended before committing";
        output.append(buf, static_cast<std::size_t>(n));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 15'000)(rng)));
    } else {
      // Kill at any moment, possibly while the child is still opening
      // (integrity check, WAL switch, migration).
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 30'000)(rng)));
    }
    child.Kill();
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) output.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int lines = 0;
    for (std::size_t pos = 0; (pos = output.find("committed ", pos)) != std::string::npos; pos += 10) {
      const std::size_t end = output.find('\n', pos);
      if (end == std::string::npos) break;  // a torn last line was not fully reported
      committed.push_back(output.substr(pos + 10, end - pos - 10));
      ++lines;
    }
    if (lines > 0) ++killed_mid_run;

    auto store = StateStore::Open({.path = path});  // runs integrity_check
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status().ToString();
    ASSERT_TRUE((*store)->CheckIntegrity().ok());
  }

  auto store = OpenOrDie({.path = path});
  ASSERT_NE(store, nullptr);
  std::size_t found = 0;
  for (const std::string& tp : committed) {
    auto row = store->FindKeyVersion(tp);
    ASSERT_TRUE(row.ok());
    EXPECT_TRUE(row->has_value()) << "committed but lost: " << tp;
    found += row->has_value() ? 1 : 0;
  }
  EXPECT_EQ(found, committed.size());
  EXPECT_GT(killed_mid_run, kKills / 2) << "most kills should land inside the commit loop";
  RecordProperty("commits_reported", static_cast<int>(committed.size()));
  std::printf("crash test: %d kills, %zu commits reported and found\n", kKills, committed.size());
}

}  // namespace
}  // namespace geoekm
