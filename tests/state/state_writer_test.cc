// StateWriter over a real SQLite state file whose commits can be held open
// (StateStoreOptions::on_commit): callers never wait for a commit, the
// overflow policy (findings and health transitions kept, audit rows
// coalesced and counted), the durable wrap record, and shutdown drains.
#include "state/state_writer.h"

#include <gtest/gtest.h>

#include <future>

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
  ASSERT_EQ(rows->size(), 8u);
  for (const AuditRow& r : *rows) EXPECT_EQ(r.operation.vault, "eastus");  // the coalesced ones are westus's
  auto copies = store_->CopiesInVault("eastus");
  ASSERT_TRUE(copies.ok());
  ASSERT_EQ(copies->size(), 1u);
  EXPECT_EQ(copies->front().status, CopyStatus::kMissing);
  const StateWriterStats stats = writer.stats();
  EXPECT_EQ(stats.audit_rows_coalesced, 5u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.written, 1u + 8u + 3u);
  EXPECT_EQ(stats.queue_depth, 0u);
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
