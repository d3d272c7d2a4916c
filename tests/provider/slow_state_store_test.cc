// The router reporting into a StateRecorder whose store holds a commit open
// (StateStoreOptions::on_commit): unwraps, and wraps of a version already
// recorded, return while the commit is still in progress; the first wrap of
// a version returns only after its record is committed (docs/ARCHITECTURE.md,
// invariant 3); the first history read of a key runs beside a commit (the
// store's read-only connection). Fake vaults (tests/router/fake_key_vault.h),
// real SQLite.
#include <gtest/gtest.h>

#include <future>

#include "core/jwk_thumbprint.h"
#include "provider/runtime/state_recorder.h"
#include "tests/router/router_fixture.h"
#include "tests/state/state_test_support.h"

namespace geoekm {
namespace {

using state_test::CommitGate;
using testing::kKey;
using testing::RandomDek;

class SlowStateStoreTest : public testing::RouterFixture {
 protected:
  void SetUp() override {
    StateStoreOptions options;
    options.path = dir_.File("state.db");
    options.on_commit = gate_.hook();
    options.audit_batch_rows = 1;  // every audit row is a commit (on the writer thread)
    auto store = StateStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::shared_ptr<StateStore>(std::move(store).value());
    std::vector<VaultRecord> vaults;
    for (int i = 0; i < 2; ++i) {
      vaults.push_back(VaultRecord{"v" + std::to_string(i), "https://v", "r", "G", i, {}, {}});
    }
    ASSERT_TRUE(store_->UpsertVaults(vaults).ok());
    state_recorder_ = std::make_shared<StateRecorder>(store_, std::vector<std::string>{kKey});
    Build(2, [this](RouterOptions& o) {
      o.observer = state_recorder_;
      o.recorder = state_recorder_;
    });
  }
  void TearDown() override {
    gate_.Open();
    RouterFixture::TearDown();
  }

  // Holds the writer in a commit: a health change it must write.
  void HoldACommit() {
    gate_.Close();
    VaultHealthEvent e;
    e.vault = "v1";
    e.from = VaultHealthState::kHealthy;
    e.to = VaultHealthState::kSuspect;
    auto report = std::async(std::launch::async, [&] { state_recorder_->OnHealthChange(e); });
    ASSERT_TRUE(gate_.WaitForHeldCommit());
    if (report.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      gate_.Open();  // let the blocked caller finish before `report` is destroyed
      FAIL() << "reporting a health change waited for the store's commit";
    }
  }

  state_test::TempDir dir_;
  CommitGate gate_;
  std::shared_ptr<StateStore> store_;
  std::shared_ptr<StateRecorder> state_recorder_;  // the router's observer and recorder here
};

TEST_F(SlowStateStoreTest, UnwrapsReturnWhileAStoreCommitIsInProgress) {
  const SecureBytes dek = RandomDek();
  const Bytes wrapped = WrapLocally(dek);
  ASSERT_TRUE(router_->Unwrap(Request(wrapped), Soon()).ok());  // resolves the key
  state_recorder_->Flush();

  ASSERT_NO_FATAL_FAILURE(HoldACommit());
  const int commits_before = gate_.commits();
  auto unwraps = std::async(std::launch::async, [&] {
    int ok = 0;
    for (int i = 0; i < 20; ++i) ok += router_->Unwrap(Request(wrapped), Soon()).ok() ? 1 : 0;
    return ok;
  });
  const bool returned = unwraps.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  if (!returned) gate_.Open();  // let them finish before `unwraps` is destroyed
  ASSERT_TRUE(returned) << "unwraps waited for the store's commit";
  EXPECT_EQ(unwraps.get(), 20);
  EXPECT_TRUE(gate_.commit_held());
  EXPECT_EQ(gate_.commits(), commits_before);  // every unwrap returned during that one commit

  gate_.Open();
  state_recorder_->Flush();
  auto audit = store_->AuditSince(0, 1000);
  ASSERT_TRUE(audit.ok());
  int unwrap_rows = 0;
  for (const AuditRow& r : *audit) unwrap_rows += r.operation.op == VaultCall::kUnwrap ? 1 : 0;
  EXPECT_EQ(unwrap_rows, 21);  // written afterwards, by the writer
  EXPECT_EQ(state_recorder_->dropped_events(), 0u);
}

TEST_F(SlowStateStoreTest, FirstWrapWaitsForItsRecordLaterWrapsDoNot) {
  ASSERT_NO_FATAL_FAILURE(HoldACommit());
  auto first = std::async(std::launch::async,
                          [&] { return router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()); });
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the first wrap of a version returned before its record was committed";
  gate_.Open();
  auto w = first.get();
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto recorded = store_->FindKeyVersion(w->thumbprint);
  ASSERT_TRUE(recorded.ok());
  ASSERT_TRUE(recorded->has_value());
  EXPECT_TRUE((*recorded)->first_wrap_ms.has_value());

  ASSERT_NO_FATAL_FAILURE(HoldACommit());
  const int commits_before = gate_.commits();
  auto later = std::async(std::launch::async, [&] {
    int ok = 0;
    for (int i = 0; i < 10; ++i) ok += router_->Wrap(kKey, WrapAlgorithm::kRsaOaep256, RandomDek(), Soon()).ok();
    return ok;
  });
  const bool returned = later.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  if (!returned) gate_.Open();  // let them finish before `later` is destroyed
  ASSERT_TRUE(returned) << "wraps of a recorded version waited for the store's commit";
  EXPECT_EQ(later.get(), 10);
  EXPECT_EQ(gate_.commits(), commits_before);
}

// The store's read-only connection: the first KnownThumbprints of a key name
// reads the store, and that read runs beside the writer's commit.
TEST_F(SlowStateStoreTest, FirstHistoryReadOfAKeyRunsBesideAHeldCommit) {
  auto bundle = vault(0).GetKey(kKey, version(0), Soon());
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  const KeyBundle& version = *bundle;
  auto thumbprint = RsaJwkThumbprint(version.kty, version.n, version.e);
  ASSERT_TRUE(thumbprint.ok());
  ASSERT_TRUE(store_->RecordWrapKeyVersion("v0", version).ok());  // history another process recorded
  ASSERT_NO_FATAL_FAILURE(HoldACommit());
  auto read = std::async(std::launch::async, [&] { return state_recorder_->KnownThumbprints(kKey); });
  const bool returned = read.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (!returned) gate_.Open();  // let it finish before `read` is destroyed
  ASSERT_TRUE(returned) << "the history read waited for the store's commit";
  EXPECT_TRUE(gate_.commit_held());
  auto known = read.get();
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  EXPECT_EQ(*known, std::vector<std::string>{*thumbprint});
}

}  // namespace
}  // namespace geoekm
