// StateRecorder over a real SQLite state file: router events become store
// rows. In particular a "missing in eastus" finding for a version the store
// has not seen yet (the router asked eastus first) is kept until a vault
// shows that version, then recorded.
#include "provider/runtime/state_recorder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>

#include "core/error_codes.h"
#include "tests/state/state_test_support.h"

namespace geoekm {
namespace {

using state_test::MakeBundle;
using state_test::TempDir;

class StateRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StateStoreOptions options;
    options.path = dir_.File("state.db");
    auto store = StateStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::shared_ptr<StateStore>(std::move(store).value());
    ASSERT_TRUE(store_->UpsertVaults(state_test::TwoVaults()).ok());
    recorder_ = std::make_unique<StateRecorder>(store_, std::vector<std::string>{"tde"});
  }

  std::map<std::string, CopyStatus> CopiesOf(const std::string& thumbprint) {
    recorder_->Flush();
    std::map<std::string, CopyStatus> out;
    auto copies = store_->CopiesOfVersion(thumbprint);
    EXPECT_TRUE(copies.ok()) << copies.status().ToString();
    if (copies.ok())
      for (const auto& c : *copies) out[c.vault] = c.status;
    return out;
  }

  static KeyCopyEvent Finding(const std::string& vault, const KeyBundle& b, KeyCopyFinding finding) {
    KeyCopyEvent e;
    e.vault = vault;
    e.key_name = b.name;
    e.thumbprint = b.thumbprint;
    e.finding = finding;
    if (finding == KeyCopyFinding::kVerified) e.bundle = b;
    e.detail = "test";
    return e;
  }

  TempDir dir_;
  std::shared_ptr<StateStore> store_;
  std::unique_ptr<StateRecorder> recorder_;
};

TEST_F(StateRecorderTest, MissingCopyOfAnUnknownVersionIsRecordedOnceAVaultShowsIt) {
  const KeyBundle b = MakeBundle("tde", 1);
  recorder_->OnKeyCopy(Finding("eastus", b, KeyCopyFinding::kMissing));
  EXPECT_TRUE(CopiesOf(b.thumbprint).empty());  // no material yet: nothing to attach it to
  recorder_->OnKeyCopy(Finding("westus", b, KeyCopyFinding::kVerified));
  auto copies = CopiesOf(b.thumbprint);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies["eastus"], CopyStatus::kMissing);
  EXPECT_EQ(copies["westus"], CopyStatus::kVerified);
  EXPECT_EQ(recorder_->dropped_events(), 0u);
}

TEST_F(StateRecorderTest, MissingCopyOfAKnownVersionIsRecordedAtOnce) {
  const KeyBundle b = MakeBundle("tde", 2);
  recorder_->OnKeyCopy(Finding("westus", b, KeyCopyFinding::kVerified));
  recorder_->OnKeyCopy(Finding("eastus", b, KeyCopyFinding::kMissing));
  EXPECT_EQ(CopiesOf(b.thumbprint)["eastus"], CopyStatus::kMissing);
  // Later verified in eastus (replication caught up): the copy is verified.
  recorder_->OnKeyCopy(Finding("eastus", b, KeyCopyFinding::kVerified));
  EXPECT_EQ(CopiesOf(b.thumbprint)["eastus"], CopyStatus::kVerified);
}

TEST_F(StateRecorderTest, KeysThatAreNotConfiguredGetNoHistory) {
  const KeyBundle other = MakeBundle("other-key", 3);
  recorder_->OnKeyCopy(Finding("westus", other, KeyCopyFinding::kVerified));
  recorder_->Flush();
  EXPECT_EQ(recorder_->dropped_events(), 1u);
  Status wrapped = recorder_->RecordWrapKeyVersion("westus", other);
  EXPECT_EQ(wrapped.code(), codes::kInvalidArgument);
  auto history = store_->KeyHistory("other-key");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  EXPECT_TRUE(CopiesOf(other.thumbprint).empty());
  // A configured name, in any case, is recorded.
  EXPECT_TRUE(recorder_->RecordWrapKeyVersion("westus", MakeBundle("TDE", 4)).ok());
}

// HasWrapHistory (asked on every wrap) answers what KnownThumbprints would,
// from the same memory: another process's first wrap of the key shows up
// with the once-a-minute reread, as it does in KnownThumbprints.
TEST_F(StateRecorderTest, HasWrapHistoryAgreesWithKnownThumbprintsThroughTheReread) {
  auto now_ms = std::make_shared<std::atomic<std::int64_t>>(1'800'000'000'000);
  StateStoreOptions options;
  options.path = dir_.File("shared.db");
  options.clock = [now_ms] { return now_ms->load(); };
  auto opened = StateStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<StateStore> mine(std::move(opened).value());
  ASSERT_TRUE(mine->UpsertVaults(state_test::TwoVaults()).ok());
  StateRecorder recorder(mine, std::vector<std::string>{"tde"});

  EXPECT_FALSE(recorder.HasWrapHistory("TDE"));  // names are case-insensitive
  ASSERT_TRUE(recorder.KnownThumbprints("tde").ok());
  EXPECT_TRUE(recorder.KnownThumbprints("tde")->empty());

  // Another process on the same state file wraps with a version first.
  auto other_store = StateStore::Open(options);
  ASSERT_TRUE(other_store.ok()) << other_store.status().ToString();
  std::shared_ptr<StateStore> theirs(std::move(other_store).value());
  StateRecorder other(theirs, std::vector<std::string>{"tde"});
  const KeyBundle b = MakeBundle("tde", 5);
  ASSERT_TRUE(other.RecordWrapKeyVersion("westus", b).ok());

  EXPECT_FALSE(recorder.HasWrapHistory("tde"));  // not reread yet: within the minute
  now_ms->fetch_add(60'000);
  EXPECT_FALSE(recorder.HasWrapHistory("tde"));  // queues the reread, answers from memory
  recorder.Flush();                              // the writer has reread the history
  EXPECT_TRUE(recorder.HasWrapHistory("tde"));
  auto known = recorder.KnownThumbprints("tde");
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(*known, std::vector<std::string>{b.thumbprint});
}

// A version recorded once is not written again on later wraps, but only
// while the bundle carries the same material: a bundle that borrows a
// recorded thumbprint for other material goes to the store, which refuses it.
TEST_F(StateRecorderTest, ARecordedThumbprintDoesNotCoverOtherMaterial) {
  const KeyBundle honest = MakeBundle("tde", 5);
  ASSERT_TRUE(recorder_->RecordWrapKeyVersion("westus", honest).ok());
  ASSERT_TRUE(recorder_->RecordWrapKeyVersion("westus", honest).ok());
  KeyBundle liar = MakeBundle("tde", 6);
  liar.thumbprint = honest.thumbprint;
  Status refused = recorder_->RecordWrapKeyVersion("westus", liar);
  EXPECT_EQ(refused.code(), codes::kKeyMaterialMismatch) << refused.ToString();
  liar.kty = "EC";  // same n and e, other key type: not the recorded material either
  liar.n = honest.n;
  liar.e = honest.e;
  EXPECT_FALSE(recorder_->RecordWrapKeyVersion("westus", liar).ok());
  recorder_->Flush();
  auto history = store_->KeyHistory("tde");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().thumbprint, honest.thumbprint);
}

TEST_F(StateRecorderTest, HealthChangesBecomeHealthEventsWithTheirCause) {
  VaultHealthEvent e;
  e.vault = "eastus";
  e.from = VaultHealthState::kHealthy;
  e.to = VaultHealthState::kSuspect;
  e.reason = "throttled";
  e.error_code = 3011;
  e.http_status = 429;
  recorder_->OnHealthChange(e);
  recorder_->Flush();
  auto events = store_->HealthEventsSince(0);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().transition.to, VaultHealthState::kSuspect);
  EXPECT_EQ(events->front().transition.error_code, 3011);
  EXPECT_EQ(events->front().transition.http_status, 429);
}

// The writer thread may write a call's row well after the call: the row
// carries when the call started, so a report that counts calls by time (the
// drill's "during the outage the primary served nothing") puts it in the
// right phase. Before, the row had the time of the write.
TEST_F(StateRecorderTest, AnAuditedCallCarriesTheTimeItStartedNotTheTimeItWasWritten) {
  const std::int64_t now = store_->options().clock();
  VaultCallEvent call;
  call.call = VaultCall::kUnwrap;
  call.vault = "eastus";
  call.key_name = "tde";
  call.latency = std::chrono::milliseconds(60'000);  // a minute-long call
  recorder_->OnVaultCall(call);
  recorder_->Flush();
  ASSERT_TRUE(store_->FlushAudit().ok());
  auto rows = store_->AuditSince(0, 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_LE(rows->front().time_ms, now - 60'000 + 1000);
  EXPECT_GE(rows->front().time_ms, now - 60'000 - 1000);
  auto recent = store_->AuditSince(now - 1000, 10);
  ASSERT_TRUE(recent.ok());
  EXPECT_TRUE(recent->empty());
}

}  // namespace
}  // namespace geoekm
