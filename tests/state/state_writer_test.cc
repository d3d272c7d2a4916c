// StateWriter over a real SQLite state file whose commits can be held open
// (StateStoreOptions::on_commit): callers never wait for a commit, the
// overflow policy (findings and health transitions kept, audit rows
// coalesced and counted), the durable wrap record, and shutdown drains.
#include "state/state_writer.h"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <atomic>
#include <future>
#include <thread>

#include "core/background_priority.h"
#include "core/error_codes.h"
#include "tests/state/state_test_support.h"

namespace geoekm {
namespace {

using state_test::CommitGate;
using state_test::MakeBundle;
using state_test::TempDir;

VaultHealthEvent Transition(const std::string& vault, VaultHealthState to) {
  VaultHealthEvent t;
  t.vault = vault;
  t.from = VaultHealthState::kHealthy;
  t.to = to;
  t.reason = "test";
  return t;
}

OperationRecord Audit(const std::string& vault, int latency_ms) {
  OperationRecord op;
  op.op = VaultCall::kUnwrap;
  op.vault = vault;
  op.latency = std::chrono::milliseconds(latency_ms);
  return op;
}

class StateWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StateStoreOptions options;
    options.path = dir_.File("state.db");
    options.on_commit = gate_.hook();
    options.audit_batch_rows = 1;  // every audit row is a commit of its own
    store_ = state_test::OpenOrDie(options);
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->UpsertVaults(state_test::TwoVaults()).ok());
  }
  void TearDown() override { gate_.Open(); }

  std::size_t HealthEvents() {
    auto events = store_->HealthEventsSince(0);
    EXPECT_TRUE(events.ok());
    return events.ok() ? events->size() : 0;
  }
  std::size_t AuditRows() {
    auto rows = store_->AuditSince(0, 100000);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows->size() : 0;
  }

  TempDir dir_;
  CommitGate gate_;
  std::shared_ptr<StateStore> store_;
};

// The writer's thread, found by its name, runs at background priority
// (core/background_priority.h): its commits give way to callers' threads.
TEST_F(StateWriterTest, TheWriterThreadGivesWayToCallers) {
  StateWriter writer(store_);
  writer.Flush();  // the thread has started and named itself
  std::optional<pid_t> writer_tid;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name == "geoekm-writer") writer_tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
  }
  ASSERT_TRUE(writer_tid.has_value());
  const int callers = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(*writer_tid)),
            std::min(callers + kBackgroundNiceness, 19));
}

TEST_F(StateWriterTest, CallersReturnWhileACommitIsHeldOpen) {
  StateWriter writer(store_);
  const int commits_before = gate_.commits();
  gate_.Close();
  writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kSuspect));
  ASSERT_TRUE(gate_.WaitForHeldCommit());
  // The writer is stuck in that commit; nothing else may wait for it.
  auto calls = std::async(std::launch::async, [&] {
    for (int i = 0; i < 50; ++i) writer.RecordOperation(Audit("eastus", i));
    writer.RecordHealthTransition(Transition("westus", VaultHealthState::kEjected));
    writer.RecordCopyStatus("westus", MakeBundle("tde", 1).thumbprint, CopyStatus::kMissing, "test");
  });
  ASSERT_EQ(calls.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(gate_.commit_held());
  EXPECT_EQ(gate_.commits(), commits_before);  // not one commit finished meanwhile
  gate_.Open();
  writer.Flush();
  EXPECT_EQ(HealthEvents(), 2u);
  EXPECT_EQ(AuditRows(), 50u);
  EXPECT_EQ(writer.stats().audit_rows_coalesced, 0u);
}

TEST_F(StateWriterTest, FullQueueCoalescesAuditRowsButKeepsTransitionsAndFindings) {
  StateWriterOptions options;
  options.queue_capacity = 8;
  StateWriter writer(store_, options);
  const KeyBundle b = MakeBundle("tde", 2);
  ASSERT_TRUE(store_->RecordCopyVerified("westus", b).ok());

  gate_.Close();
  writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kSuspect));
  ASSERT_TRUE(gate_.WaitForHeldCommit());  // the writer holds that one item; the queue is empty
  for (int i = 0; i < 8; ++i) writer.RecordOperation(Audit("eastus", i));  // fills the queue
  for (int i = 0; i < 5; ++i) writer.RecordOperation(Audit("westus", 100 + i));  // coalesced
  EXPECT_EQ(writer.stats().audit_rows_coalesced, 5u);
  // Beyond the bound, transitions and findings are still queued.
  writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kEjected));
  writer.RecordHealthTransition(Transition("westus", VaultHealthState::kSuspect));
  writer.RecordCopyStatus("eastus", b.thumbprint, CopyStatus::kMissing, "not in eastus");
  EXPECT_EQ(writer.stats().queue_depth, 11u);
  EXPECT_EQ(writer.stats().max_queue_depth, 11u);
  gate_.Open();
  writer.Flush();

  EXPECT_EQ(HealthEvents(), 3u);
  auto rows = store_->AuditSince(0, 100);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 9u);  // 8 rows of their own, the 5 coalesced calls as one
  std::int64_t calls = 0;
  for (const AuditRow& r : *rows) {
    EXPECT_EQ(r.operation.count, r.operation.vault == "westus" ? 5 : 1) << r.operation.vault;
    calls += r.operation.count;
  }
  EXPECT_EQ(calls, 13);
  auto copies = store_->CopiesInVault("eastus");
  ASSERT_TRUE(copies.ok());
  ASSERT_EQ(copies->size(), 1u);
  EXPECT_EQ(copies->front().status, CopyStatus::kMissing);
  const StateWriterStats stats = writer.stats();
  EXPECT_EQ(stats.audit_rows_coalesced, 5u);
  EXPECT_EQ(stats.audit_rows_lost, 0u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.written, 1u + 8u + 3u + 1u);  // the summary is one row
  EXPECT_EQ(stats.queue_depth, 0u);
}

TEST_F(StateWriterTest, CoalescedAuditCallsAreOneRowPerKindWithTheirCount) {
  StateWriterOptions options;
  options.queue_capacity = 1;
  StateWriter writer(store_, options);
  gate_.Close();
  writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kSuspect));
  ASSERT_TRUE(gate_.WaitForHeldCommit());
  writer.RecordOperation(Audit("eastus", 1));  // fills the queue
  // Coalesced: four successful unwraps at westus and two throttled ones, in
  // two kinds, each kind one row with its count, earliest start, mean latency.
  const std::int64_t start = 1'750'000'000'000;
  for (int i = 0; i < 4; ++i) {
    OperationRecord op = Audit("westus", 10 * (i + 1));  // 10, 20, 30, 40 ms: mean 25
    op.started_ms = start + 100 - i;                     // the last is the earliest
    op.request_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    writer.RecordOperation(op);
  }
  for (int i = 0; i < 2; ++i) {
    OperationRecord op = Audit("westus", 7);
    op.outcome_code = codes::kHttpThrottled;
    op.http_status = 429;
    op.started_ms = start + 200 + i;
    writer.RecordOperation(op);
  }
  EXPECT_EQ(writer.stats().audit_rows_coalesced, 6u);
  gate_.Open();
  writer.Flush();

  auto rows = store_->AuditSince(0, 100);
  ASSERT_TRUE(rows.ok());
  std::vector<AuditRow> westus;
  for (const AuditRow& r : *rows)
    if (r.operation.vault == "westus") westus.push_back(r);
  ASSERT_EQ(westus.size(), 2u);
  std::sort(westus.begin(), westus.end(),
            [](const AuditRow& a, const AuditRow& b) { return a.operation.outcome_code < b.operation.outcome_code; });
  EXPECT_EQ(westus[0].operation.count, 4);
  EXPECT_EQ(westus[0].time_ms, start + 97);
  EXPECT_EQ(westus[0].operation.latency, std::chrono::milliseconds(25));
  EXPECT_EQ(westus[0].operation.request_id, "");  // one row cannot name four requests
  EXPECT_EQ(westus[1].operation.count, 2);
  EXPECT_EQ(westus[1].operation.outcome_code, codes::kHttpThrottled);
  EXPECT_EQ(westus[1].operation.http_status, 429);
  EXPECT_EQ(westus[1].time_ms, start + 200);

  // The summary counts calls, not rows.
  auto summary = store_->AuditSummary(0);
  ASSERT_TRUE(summary.ok());
  bool seen_unwraps = false;
  for (const AuditSummaryRow& g : *summary) {
    if (g.vault != "westus" || g.outcome_code != 0) continue;
    seen_unwraps = true;
    EXPECT_EQ(g.count, 4);
    EXPECT_EQ(g.total_latency_ms, 100);
  }
  EXPECT_TRUE(seen_unwraps);
}

// Runs on the writer thread until released: what is queued meanwhile is
// drained as one batch afterwards.
class WriterLatch {
 public:
  void Hold(StateWriter& writer) {
    writer.Submit([this](StateStore&) {
      entered_.set_value();
      released_.get_future().wait();
    });
    entered_.get_future().wait();
  }
  void Release() { released_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> released_;
};

// Waits (up to 10 s) until the writer's queue holds `depth` items.
bool WaitForQueueDepth(const StateWriter& writer, std::size_t depth) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (writer.stats().queue_depth < depth) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(StateWriterBatch, ABurstOfFindingsUnderASlowDiskIsOneCommit) {
  TempDir dir;
  std::atomic<int> commits{0};
  StateStoreOptions options;
  options.path = dir.File("state.db");
  options.on_commit = [&commits] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a slow fsync
    ++commits;
  };
  std::shared_ptr<StateStore> store = state_test::OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertVaults(state_test::TwoVaults()).ok());
  std::vector<KeyBundle> versions;
  for (int i = 0; i < 10; ++i) {
    versions.push_back(MakeBundle("tde", 100 + static_cast<std::uint64_t>(i)));
    ASSERT_TRUE(store->RecordCopyVerified("eastus", versions.back()).ok());
  }

  StateWriter writer(store);
  WriterLatch latch;
  latch.Hold(writer);
  // The burst: health changes, missing findings, audit rows, and a first
  // wrap of a new version that waits for its record behind them.
  constexpr int kFindings = 10;
  for (int i = 0; i < kFindings; ++i) {
    writer.RecordCopyStatus("westus", versions[static_cast<std::size_t>(i)].thumbprint, CopyStatus::kMissing,
                            "not in westus");
    writer.RecordHealthTransition(Transition(i % 2 ? "eastus" : "westus", VaultHealthState::kSuspect));
    writer.RecordOperation(Audit("eastus", i));
  }
  const KeyBundle fresh = MakeBundle("tde", 200);
  auto wrap = std::async(std::launch::async, [&] { return writer.RecordWrapKeyVersion("eastus", fresh); });
  ASSERT_TRUE(WaitForQueueDepth(writer, 3 * kFindings + 1));
  const int commits_before = commits.load();
  latch.Release();
  const Status recorded = wrap.get();
  ASSERT_TRUE(recorded.ok()) << recorded.ToString();
  // The wrap returned with the batch's commit: everything is in it.
  EXPECT_EQ(commits.load(), commits_before + 1);
  auto version = store->FindKeyVersion(fresh.thumbprint);
  ASSERT_TRUE(version.ok());
  ASSERT_TRUE(version->has_value());
  EXPECT_TRUE((*version)->first_wrap_ms.has_value());
  auto missing = store->CopiesInVault("westus");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->size(), static_cast<std::size_t>(kFindings));
  for (const VaultKeyCopyRecord& c : *missing) EXPECT_EQ(c.status, CopyStatus::kMissing);
  auto events = store->HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), static_cast<std::size_t>(kFindings));
  auto audit = store->AuditSince(0, 100);  // committed with the batch: no flush, no commit here
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), static_cast<std::size_t>(kFindings));
  EXPECT_EQ(commits.load(), commits_before + 1);
  EXPECT_EQ(writer.stats().failed, 0u);
  EXPECT_EQ(writer.stats().batch_retries, 0u);
}

// Audit rows wake the writer only when their commit is due: fewer than the
// store's audit_batch_rows stay queued (a wake-up costs the writer far more
// than a row), the row that completes a batch wakes it, and the batch is
// committed at once.
TEST(StateWriterBatch, AuditRowsWakeTheWriterOnlyWhenTheirCommitIsDue) {
  TempDir dir;
  std::atomic<int> commits{0};
  StateStoreOptions options;
  options.path = dir.File("state.db");
  options.audit_batch_rows = 100;
  options.audit_flush_interval = std::chrono::hours(1);  // no idle timer in this test
  options.on_commit = [&commits] { ++commits; };
  std::shared_ptr<StateStore> store = state_test::OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertVaults(state_test::TwoVaults()).ok());

  StateWriter writer(store);
  // A writer that is awake takes whatever is queued: let it start and fall asleep first.
  writer.Flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int commits_before = commits.load();
  for (int i = 0; i < 99; ++i) writer.RecordOperation(Audit("eastus", i));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(writer.stats().queue_depth, 99u) << "an audit row woke the writer before a commit was due";
  EXPECT_EQ(commits.load(), commits_before);

  writer.RecordOperation(Audit("eastus", 99));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (commits.load() == commits_before && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(commits.load(), commits_before + 1) << "the 100th row did not get its batch committed";
  EXPECT_EQ(writer.stats().queue_depth, 0u);
  auto rows = store->AuditSince(0, 1000);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 100u);
}

TEST(StateWriterBatch, ARecordTheStoreRefusesDoesNotCostTheOthersTheirCommit) {
  TempDir dir;
  std::shared_ptr<StateStore> store = state_test::OpenOrDie({.path = dir.File("state.db")});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertVaults(state_test::TwoVaults()).ok());
  const KeyBundle b = MakeBundle("tde", 7);
  ASSERT_TRUE(store->RecordCopyVerified("eastus", b).ok());

  StateWriter writer(store);
  WriterLatch latch;
  latch.Hold(writer);
  writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kSuspect));
  writer.RecordHealthTransition(Transition("no-such-vault", VaultHealthState::kEjected));  // refused
  writer.RecordCopyStatus("westus", b.thumbprint, CopyStatus::kMismatch, "other material",
                          MakeBundle("tde", 8).thumbprint);
  auto wrap = std::async(std::launch::async,
                         [&] { return writer.RecordWrapKeyVersion("westus", state_test::InVault(b, "v2", 70)); });
  ASSERT_TRUE(WaitForQueueDepth(writer, 4));
  latch.Release();
  // In the same batch, the wrap sees the mismatch before it and is refused
  // (docs/ARCHITECTURE.md, invariant 2); the refusals change nothing else.
  EXPECT_EQ(wrap.get().code(), codes::kKeyMaterialMismatch);
  writer.Flush();
  auto events = store->HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().transition.vault, "eastus");
  auto copies = store->CopiesInVault("westus");
  ASSERT_TRUE(copies.ok());
  ASSERT_EQ(copies->size(), 1u);
  EXPECT_EQ(copies->front().status, CopyStatus::kMismatch);
  const StateWriterStats stats = writer.stats();
  EXPECT_EQ(stats.failed, 1u);  // the unknown vault's transition
  EXPECT_EQ(stats.written, 2u);
  EXPECT_EQ(stats.batch_retries, 0u);
}

// Another connection (the CLI, another process) holds the write lock past
// busy_timeout: the batch fails; its never-drop records are retried one by
// one, and what still fails is counted and the waiting wrap gets the error.
TEST(StateWriterBatch, AFailingBatchLosesNoRecordSilently) {
  TempDir dir;
  std::atomic<int> commits{0};
  StateStoreOptions options;
  options.path = dir.File("state.db");
  options.busy_timeout = std::chrono::milliseconds(30);
  options.on_commit = [&commits] { ++commits; };
  std::shared_ptr<StateStore> store = state_test::OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertVaults(state_test::TwoVaults()).ok());
  const KeyBundle b = MakeBundle("tde", 9);
  ASSERT_TRUE(store->RecordCopyVerified("eastus", b).ok());

  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open_v2(options.path.c_str(), &blocker, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  StateWriter writer(store);
  WriterLatch latch;
  // Takes the write lock on the writer thread, between batches.
  writer.Submit([blocker](StateStore&) { ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK); });
  latch.Hold(writer);
  writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kSuspect));
  writer.RecordCopyStatus("westus", b.thumbprint, CopyStatus::kMissing, "not in westus");
  writer.RecordOperation(Audit("eastus", 3));
  auto wrap = std::async(std::launch::async, [&] { return writer.RecordWrapKeyVersion("westus", b); });
  ASSERT_TRUE(WaitForQueueDepth(writer, 4));
  const int commits_before = commits.load();
  latch.Release();
  const Status refused = wrap.get();
  EXPECT_EQ(refused.code(), codes::kStateStoreError);
  EXPECT_EQ(refused.error_class(), ErrorClass::kTransient) << refused.ToString();
  writer.Flush();
  StateWriterStats stats = writer.stats();
  EXPECT_EQ(stats.batch_retries, 1u);
  // The transition and the finding, each retried alone and failed; the
  // audit flush of Flush() failed too (its row stays buffered).
  EXPECT_EQ(stats.failed, 3u);
  EXPECT_EQ(commits.load(), commits_before);

  // The lock released, the next batch writes again, with the buffered audit row.
  ASSERT_EQ(sqlite3_exec(blocker, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  writer.RecordHealthTransition(Transition("westus", VaultHealthState::kEjected));
  writer.Flush();
  auto events = store->HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().transition.vault, "westus");
  auto audit = store->AuditSince(0, 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 1u);
  EXPECT_EQ(writer.stats().failed, 3u);
}

TEST_F(StateWriterTest, QueriesRunBesideACommitInProgress) {
  StateWriter writer(store_);
  const KeyBundle b = MakeBundle("tde", 11);
  ASSERT_TRUE(store_->RecordCopyVerified("eastus", b).ok());
  gate_.Close();
  writer.RecordHealthTransition(Transition("westus", VaultHealthState::kEjected));
  ASSERT_TRUE(gate_.WaitForHeldCommit());
  // The drill report, the CLI and KnownThumbprints read while the writer's
  // commit is held: they return, and see the last commit, not this one.
  auto reads = std::async(std::launch::async, [&] {
    auto events = store_->HealthEventsSince(0);
    auto history = store_->KeyHistory("tde");
    auto vaults = store_->Vaults();
    auto audit = store_->AuditSince(0, 10);
    return events.ok() && events->empty() && history.ok() && history->size() == 1 && vaults.ok() &&
           vaults->size() == 2 && audit.ok();
  });
  ASSERT_EQ(reads.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(gate_.commit_held());  // the reads returned before the commit's delay ended
  EXPECT_TRUE(reads.get());
  gate_.Open();
  writer.Flush();
  EXPECT_EQ(HealthEvents(), 1u);
}

TEST_F(StateWriterTest, ShutdownWritesEverythingQueued) {
  const KeyBundle b = MakeBundle("tde", 3);
  {
    StateWriter writer(store_);
    gate_.Close();
    writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kSuspect));
    ASSERT_TRUE(gate_.WaitForHeldCommit());
    for (int i = 0; i < 20; ++i) writer.RecordOperation(Audit("westus", i));
    writer.RecordCopyVerified("westus", b);
    writer.RecordHealthTransition(Transition("eastus", VaultHealthState::kEjected));
    auto stop = std::async(std::launch::async, [&] { writer.Shutdown(); });
    EXPECT_EQ(stop.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);  // still writing
    gate_.Open();
    stop.get();
    // Stopped: a durable record can no longer be made and says so.
    EXPECT_EQ(writer.RecordWrapKeyVersion("westus", b).code(), codes::kStateStoreError);
  }
  EXPECT_EQ(HealthEvents(), 2u);
  EXPECT_EQ(AuditRows(), 20u);
  auto copies = store_->CopiesOfVersion(b.thumbprint);
  ASSERT_TRUE(copies.ok());
  ASSERT_EQ(copies->size(), 1u);
  EXPECT_EQ(copies->front().status, CopyStatus::kVerified);
}

TEST_F(StateWriterTest, DurableWrapRecordIsCommittedBeforeItReturnsAndAfterEarlierFindings) {
  StateWriter writer(store_);
  const KeyBundle b = MakeBundle("tde", 4);
  // A mismatch reported before the wrap makes the store refuse it
  // (docs/ARCHITECTURE.md, invariant 2), as when writes were synchronous.
  ASSERT_TRUE(store_->RecordCopyVerified("eastus", b).ok());
  writer.RecordCopyStatus("westus", b.thumbprint, CopyStatus::kMismatch, "other material",
                          MakeBundle("tde", 5).thumbprint);
  const KeyBundle in_west = state_test::InVault(b, "v2", 40);
  EXPECT_EQ(writer.RecordWrapKeyVersion("westus", in_west).code(), codes::kKeyMaterialMismatch);

  gate_.Close();
  auto wrap = std::async(std::launch::async, [&] { return writer.RecordWrapKeyVersion("eastus", b); });
  ASSERT_TRUE(gate_.WaitForHeldCommit());
  EXPECT_EQ(wrap.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);  // waits for the commit
  gate_.Open();
  EXPECT_TRUE(wrap.get().ok());
  auto recorded = store_->FindKeyVersion(b.thumbprint);
  ASSERT_TRUE(recorded.ok());
  ASSERT_TRUE(recorded->has_value());
  EXPECT_TRUE((*recorded)->first_wrap_ms.has_value());
}

TEST_F(StateWriterTest, MissingFindingForAnUnknownVersionWaitsForAVerifiedCopy) {
  StateWriter writer(store_);
  const KeyBundle b = MakeBundle("tde", 6);
  writer.RecordCopyStatus("eastus", b.thumbprint, CopyStatus::kMissing, "not in eastus");
  writer.Flush();
  auto none = store_->CopiesOfVersion(b.thumbprint);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  writer.RecordCopyVerified("westus", b);
  writer.Flush();
  auto copies = store_->CopiesOfVersion(b.thumbprint);
  ASSERT_TRUE(copies.ok());
  EXPECT_EQ(copies->size(), 2u);
  EXPECT_EQ(writer.stats().failed, 0u);
}

}  // namespace
}  // namespace geoekm
