// StateStore behaviour on real SQLite files: key history, copies, health,
// audit (and that it cannot hold payloads), retention, missing versions.
#include <sqlite3.h>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "state/missing_versions_message.h"
#include "state_test_support.h"

namespace geoekm {
namespace {

using state_test::FakeClock;
using state_test::InVault;
using state_test::MakeBundle;
using state_test::OpenOrDie;
using state_test::TempDir;
using state_test::TwoVaults;

constexpr const char* kGuid = "0f8fad5b-d9cb-469f-a165-70867728950e";

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(Options());
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->UpsertVaults(TwoVaults()).ok());
  }
  StateStoreOptions Options() {
    StateStoreOptions o;
    o.path = dir_.File("state.db");
    o.clock = clock_.fn();
    return o;
  }
  // Count through an independent connection: what is committed, not cached.
  std::int64_t CountRows(const std::string& sql) {
    sqlite3* db = nullptr;
    std::int64_t n = -1;
    if (sqlite3_open_v2(dir_.File("state.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        n = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return n;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<StateStore> store_;
};

// An audit row is buffered only if its thumbprint names a recorded version;
// if the batch that recorded the version is then rolled back, the row is
// still written when the audit is flushed, without the thumbprint.
TEST_F(StateStoreTest, AnAuditRowWhoseVersionWasRolledBackIsWrittenWithoutIt) {
  const KeyBundle fresh = MakeBundle("tde", 77);
  {
    StateStore::Batch batch = store_->BeginBatch();
    ASSERT_TRUE(batch.RecordWrapKeyVersion("eastus", fresh).ok());
    ASSERT_TRUE(batch.RecordOperation({VaultCall::kWrap, "eastus", fresh.thumbprint, 0, 200,
                                       std::chrono::milliseconds(3), ""})
                    .ok());
  }  // not committed: the version is rolled back, the audit row stays buffered
  EXPECT_EQ(CountRows("SELECT count(*) FROM key_versions"), 0);
  const KeyBundle kept = MakeBundle("tde", 78);
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", kept).ok());
  ASSERT_TRUE(store_->RecordOperation({VaultCall::kWrap, "eastus", kept.thumbprint, 0, 200,
                                       std::chrono::milliseconds(4), ""})
                  .ok());
  ASSERT_TRUE(store_->FlushAudit().ok());
  auto rows = store_->AuditSince(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].operation.thumbprint, "");
  EXPECT_EQ((*rows)[0].operation.latency, std::chrono::milliseconds(3));
  EXPECT_EQ((*rows)[1].operation.thumbprint, kept.thumbprint);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations WHERE thumbprint IS NULL"), 1);
}

// The writer hands rows over by move and retries a refused one without its
// thumbprint: a refused row must come back as it was.
TEST_F(StateStoreTest, ARefusedAuditRowHandedOverByMoveIsLeftAsItWas) {
  const KeyBundle unknown = MakeBundle("tde", 79);
  OperationRecord op{VaultCall::kUnwrap, "eastus", unknown.thumbprint, 0, 200, std::chrono::milliseconds(2),
                     "0f0e0d0c-0b0a-4908-8706-050403020100"};
  StateStore::Batch batch = store_->BeginBatch();
  EXPECT_FALSE(batch.RecordOperation(std::move(op)).ok());
  EXPECT_EQ(op.thumbprint, unknown.thumbprint);  // NOLINT(bugprone-use-after-move): refused, not taken
  EXPECT_EQ(op.request_id, "0f0e0d0c-0b0a-4908-8706-050403020100");
  op.thumbprint.clear();
  EXPECT_TRUE(batch.RecordOperation(std::move(op)).ok());
  ASSERT_TRUE(batch.Commit().ok());
  ASSERT_TRUE(store_->FlushAudit().ok());
  auto rows = store_->AuditSince(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].operation.request_id, "0f0e0d0c-0b0a-4908-8706-050403020100");
}

TEST_F(StateStoreTest, WrapKeyVersionIsCommittedWithWrapTimes) {
  const KeyBundle v = MakeBundle("tde", 1);
  const std::int64_t t0 = clock_.now_ms->load();
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  // Visible to another connection the moment the call returned.
  EXPECT_EQ(CountRows("SELECT count(*) FROM key_versions WHERE thumbprint = '" + v.thumbprint + "'"), 1);

  auto row = store_->FindKeyVersion(v.thumbprint);
  ASSERT_TRUE(row.ok() && row->has_value());
  const KeyVersionRecord& r = **row;
  EXPECT_EQ(r.key_name, "tde");
  EXPECT_EQ(r.kty, "RSA");
  EXPECT_EQ(r.size_bits, 2048);
  EXPECT_EQ(r.n, v.n);
  EXPECT_EQ(r.e, "AQAB");
  EXPECT_EQ(r.created, 1'700'000'000);
  EXPECT_EQ(r.first_seen_ms, t0);
  EXPECT_EQ(r.first_wrap_ms, t0);
  EXPECT_EQ(r.last_wrap_ms, t0);

  auto copies = store_->CopiesInVault("eastus");
  ASSERT_TRUE(copies.ok());
  ASSERT_EQ(copies->size(), 1u);
  EXPECT_EQ((*copies)[0].kid, v.kid);
  EXPECT_EQ((*copies)[0].version_id, v.version);
  EXPECT_EQ((*copies)[0].status, CopyStatus::kUnverified);
  EXPECT_EQ((*copies)[0].key_ops, (std::vector<std::string>{"wrapKey", "unwrapKey"}));
  EXPECT_EQ((*copies)[0].enabled, true);
}

TEST_F(StateStoreTest, LastWrapIsRefreshedAtTheConfiguredGranularityAndFirstWrapNeverMoves) {
  const KeyBundle v = MakeBundle("tde", 1);
  const std::int64_t t0 = clock_.now_ms->load();
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  clock_.Advance(10'000);  // within the default 60 s
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  EXPECT_EQ(CountRows("SELECT last_wrap_ms FROM key_versions"), t0);
  clock_.Advance(60'000);
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  EXPECT_EQ(CountRows("SELECT last_wrap_ms FROM key_versions"), t0 + 70'000);
  EXPECT_EQ(CountRows("SELECT first_wrap_ms FROM key_versions"), t0);
  // A wrap through another vault always reaches the disk (its copy row).
  ASSERT_TRUE(store_->RecordWrapKeyVersion("westus", InVault(v, "v2", 99)).ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM vault_key_copies"), 2);
  EXPECT_EQ(CountRows("SELECT count(*) FROM key_versions"), 1);
}

TEST_F(StateStoreTest, BundleWhoseThumbprintDisagreesWithItsMaterialIsRefused) {
  KeyBundle v = MakeBundle("tde", 1);
  v.thumbprint = MakeBundle("tde", 2).thumbprint;
  Status s = store_->RecordWrapKeyVersion("eastus", v);
  EXPECT_EQ(s.code(), codes::kKeyMaterialMismatch);
  EXPECT_EQ(s.error_class(), ErrorClass::kIntegrity);
  EXPECT_EQ(CountRows("SELECT count(*) FROM key_versions"), 0);

  KeyBundle not_rsa = MakeBundle("tde", 3);
  not_rsa.kty = "EC";
  EXPECT_FALSE(store_->RecordWrapKeyVersion("eastus", not_rsa).ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM key_versions"), 0);
}

TEST_F(StateStoreTest, UnknownVaultIsRefusedAndNothingIsWritten) {
  Status s = store_->RecordWrapKeyVersion("nowhere", MakeBundle("tde", 1));
  EXPECT_EQ(s.code(), codes::kStateStoreError);
  EXPECT_EQ(s.error_class(), ErrorClass::kInvalidInput);
  EXPECT_NE(s.message().find("nowhere"), std::string::npos);
  EXPECT_EQ(CountRows("SELECT count(*) FROM key_versions"), 0);
}

TEST_F(StateStoreTest, CopyVerificationAndStatuses) {
  const KeyBundle v = MakeBundle("tde", 1);
  const KeyBundle other = MakeBundle("tde", 2);
  ASSERT_TRUE(store_->RecordCopyVerified("eastus", v).ok());
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());  // keeps 'verified'
  ASSERT_TRUE(store_->RecordCopyStatus("westus", v.thumbprint, CopyStatus::kMismatch,
                                       "westus holds other material under tde", other.thumbprint)
                  .ok());
  auto copies = store_->CopiesOfVersion(v.thumbprint);
  ASSERT_TRUE(copies.ok());
  ASSERT_EQ(copies->size(), 2u);
  EXPECT_EQ((*copies)[0].vault, "eastus");
  EXPECT_EQ((*copies)[0].status, CopyStatus::kVerified);
  EXPECT_EQ((*copies)[0].last_verified_ms, clock_.now_ms->load());
  EXPECT_EQ((*copies)[1].vault, "westus");
  EXPECT_EQ((*copies)[1].status, CopyStatus::kMismatch);
  EXPECT_EQ((*copies)[1].observed_thumbprint, other.thumbprint);
  EXPECT_FALSE((*copies)[1].last_verified_ms.has_value());

  ASSERT_TRUE(store_->RecordCopyStatus("eastus", v.thumbprint, CopyStatus::kQuarantined, "material changed").ok());
  auto east = store_->CopiesInVault("eastus");
  ASSERT_TRUE(east.ok());
  EXPECT_EQ((*east)[0].status, CopyStatus::kQuarantined);
  EXPECT_EQ((*east)[0].kid, v.kid);  // attributes kept

  // A quarantined copy can no longer be recorded as used for a wrap.
  Status refused = store_->RecordWrapKeyVersion("eastus", v);
  EXPECT_EQ(refused.code(), codes::kKeyMaterialMismatch);
  EXPECT_EQ(refused.vault(), "eastus");
  Status mismatch = store_->RecordWrapKeyVersion("westus", InVault(v, "v2", 5));
  EXPECT_EQ(mismatch.code(), codes::kKeyMaterialMismatch);

  auto kid = store_->ThumbprintForKid(v.kid);
  ASSERT_TRUE(kid.ok() && kid->has_value());
  EXPECT_EQ(**kid, v.thumbprint);

  // Refused: verified without material, unknown versions, bad observed thumbprints.
  EXPECT_FALSE(store_->RecordCopyStatus("eastus", v.thumbprint, CopyStatus::kVerified, "").ok());
  EXPECT_FALSE(store_->RecordCopyStatus("eastus", other.thumbprint, CopyStatus::kMissing, "").ok());
  EXPECT_FALSE(store_->RecordCopyStatus("eastus", v.thumbprint, CopyStatus::kMismatch, "", "short").ok());
}

TEST_F(StateStoreTest, HealthTransitionsUpdateTheVaultAndAppendEvents) {
  const std::int64_t t0 = clock_.now_ms->load();
  ASSERT_TRUE(store_
                  ->RecordHealthTransition(
                      {"eastus", VaultHealthState::kProbing, VaultHealthState::kHealthy, "probe ok", 0, 0})
                  .ok());
  clock_.Advance(5000);
  ASSERT_TRUE(store_
                  ->RecordHealthTransition({"eastus", VaultHealthState::kHealthy, VaultHealthState::kEjected,
                                            "3 consecutive failures", codes::kHttpServerError, 503})
                  .ok());
  EXPECT_FALSE(
      store_->RecordHealthTransition({"nowhere", VaultHealthState::kProbing, VaultHealthState::kHealthy, "", 0, 0})
          .ok());

  auto vaults = store_->Vaults();
  ASSERT_TRUE(vaults.ok());
  ASSERT_EQ(vaults->size(), 2u);
  EXPECT_EQ((*vaults)[0].name, "eastus");
  EXPECT_EQ((*vaults)[0].health, VaultHealthState::kEjected);
  EXPECT_EQ((*vaults)[0].health_since_ms, t0 + 5000);
  EXPECT_EQ((*vaults)[1].health, std::nullopt);  // never recorded

  auto all = store_->HealthEventsSince(0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  auto recent = store_->HealthEventsSince(t0 + 1);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].transition.from, VaultHealthState::kHealthy);
  EXPECT_EQ((*recent)[0].transition.to, VaultHealthState::kEjected);
  EXPECT_EQ((*recent)[0].transition.error_code, codes::kHttpServerError);
  EXPECT_EQ((*recent)[0].transition.http_status, 503);
  EXPECT_EQ((*recent)[0].transition.reason, "3 consecutive failures");
  // The stored words are the router's; files from before the merge said "degraded" for suspect.
  EXPECT_EQ(ParseVaultHealthState(VaultHealthStateName(VaultHealthState::kSuspect)), VaultHealthState::kSuspect);
  EXPECT_EQ(ParseVaultHealthState("degraded"), VaultHealthState::kSuspect);
  EXPECT_EQ(ParseVaultHealthState("unknown"), std::nullopt);
}

TEST_F(StateStoreTest, KeyHistoryIsOrderedByCreation) {
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", MakeBundle("tde", 3, "v1", 1'700'000'300)).ok());
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", MakeBundle("tde", 1, "v1", 1'700'000'100)).ok());
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", MakeBundle("other", 9)).ok());
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", MakeBundle("tde", 2, "v1", 1'700'000'200)).ok());
  auto history = store_->KeyHistory("tde");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].thumbprint, MakeBundle("tde", 1).thumbprint);
  EXPECT_EQ((*history)[1].thumbprint, MakeBundle("tde", 2).thumbprint);
  EXPECT_EQ((*history)[2].thumbprint, MakeBundle("tde", 3).thumbprint);
}

TEST_F(StateStoreTest, MissingVersionsAndTheAzureSqlStyleMessage) {
  const KeyBundle v1 = MakeBundle("tde", 1, "v1", 1'700'000'000);  // 2023-11-14T22:13:20Z
  const KeyBundle v2 = MakeBundle("tde", 2, "v1", 1'710'000'000);  // 2024-03-09T16:00:00Z
  const KeyBundle v3 = MakeBundle("tde", 3, "v1", 1'720'000'000);  // 2024-07-03T09:46:40Z
  for (const auto& v : {v1, v2, v3}) ASSERT_TRUE(store_->RecordCopyVerified("eastus", v).ok());
  ASSERT_TRUE(store_->RecordCopyVerified("westus", InVault(v1, "v2", 11)).ok());
  ASSERT_TRUE(store_->RecordCopyStatus("westus", v2.thumbprint, CopyStatus::kMissing, "404 on get").ok());
  // v3 was never checked in westus.

  auto missing = store_->MissingVersions();
  ASSERT_TRUE(missing.ok());
  ASSERT_EQ(missing->size(), 2u);
  EXPECT_EQ((*missing)[0].vault, "westus");
  EXPECT_EQ((*missing)[0].thumbprint, v2.thumbprint);
  EXPECT_EQ((*missing)[0].copy_status, CopyStatus::kMissing);
  EXPECT_EQ((*missing)[1].thumbprint, v3.thumbprint);
  EXPECT_FALSE((*missing)[1].copy_status.has_value());

  auto message = MissingVersionsMessage(*store_, "westus");
  ASSERT_TRUE(message.ok());
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ(**message,
            "Target server 'westus' does not have access to all AKV Uris created between 2024-03-09T16:00:00Z and "
            "2024-07-03T09:46:40Z. Please retry operation after restoring all AKV Uris.");
  auto none = MissingVersionsMessage(*store_, "eastus");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto other_key = MissingVersionsMessage(*store_, "westus", "not-tde");
  ASSERT_TRUE(other_key.ok());
  EXPECT_FALSE(other_key->has_value());
}

TEST_F(StateStoreTest, AuditRecordsAreBufferedAndSummarised) {
  const KeyBundle v = MakeBundle("tde", 1);
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->RecordOperation({VaultCall::kUnwrap, "eastus", v.thumbprint, 0, 200,
                                         std::chrono::milliseconds(10 + i), kGuid})
                    .ok());
  }
  ASSERT_TRUE(store_->RecordOperation({VaultCall::kUnwrap, "westus", v.thumbprint, codes::kHttpThrottled, 429,
                                       std::chrono::milliseconds(5), ""})
                  .ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 0);  // still buffered (batch of 64, < 1 s old)
  clock_.Advance(1500);
  ASSERT_TRUE(store_->RecordOperation({VaultCall::kProbe, "", "", 0, 0, std::chrono::milliseconds(1), ""}).ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 5);  // the oldest was > 1 s old

  auto summary = store_->AuditSummary(0);
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->size(), 3u);
  EXPECT_EQ((*summary)[0].vault, "");
  EXPECT_EQ((*summary)[0].op, VaultCall::kProbe);
  EXPECT_EQ((*summary)[1].vault, "eastus");
  EXPECT_EQ((*summary)[1].count, 3);
  EXPECT_EQ((*summary)[1].total_latency_ms, 33);
  EXPECT_EQ((*summary)[1].max_latency_ms, 12);
  EXPECT_EQ((*summary)[2].vault, "westus");
  EXPECT_EQ((*summary)[2].outcome_code, codes::kHttpThrottled);

  auto rows = store_->AuditSince(0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ((*rows)[0].operation.request_id, kGuid);
  EXPECT_EQ((*rows)[0].operation.thumbprint, v.thumbprint);
}

TEST_F(StateStoreTest, AuditIsWrittenOnCloseAndWithKeyVersionCommits) {
  const KeyBundle v = MakeBundle("tde", 1);
  ASSERT_TRUE(store_->RecordOperation({VaultCall::kGetKey, "eastus", "", 0, 200, {}, ""}).ok());
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 1);
  ASSERT_TRUE(store_->RecordOperation({VaultCall::kWrap, "eastus", v.thumbprint, 0, 200, {}, ""}).ok());
  store_.reset();
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 2);
}

// Everything a caller might be tempted to put into the audit.
struct Secrets {
  std::string dek = std::string("\x13\x37\xc0\xde\xba\xbe\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99"
                                "\xaa\xbb\xcc\xdd\xee\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 32);
  std::string dek_b64url = Base64UrlEncode(dek);  // 43 characters, like a thumbprint
  std::string token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0In0.c2lnbmF0dXJl";
  std::string client_secret = "Zx8Q~super.secret-client-value";
};

TEST_F(StateStoreTest, AuditCannotCarryPayloads) {
  const Secrets s;
  const KeyBundle v = MakeBundle("tde", 1);
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  // Every string field refuses anything but what it is meant to hold.
  EXPECT_FALSE(store_->RecordOperation({VaultCall::kWrap, "eastus", s.dek_b64url, 0, 200, {}, ""}).ok());
  EXPECT_FALSE(store_->RecordOperation({VaultCall::kWrap, "eastus", s.dek, 0, 200, {}, ""}).ok());
  EXPECT_FALSE(store_->RecordOperation({VaultCall::kWrap, "eastus", v.thumbprint, 0, 200, {}, s.token}).ok());
  EXPECT_FALSE(store_->RecordOperation({VaultCall::kWrap, "eastus", v.thumbprint, 0, 200, {}, s.dek_b64url}).ok());
  EXPECT_FALSE(store_->RecordOperation({VaultCall::kWrap, s.client_secret, v.thumbprint, 0, 200, {}, ""}).ok());
  EXPECT_FALSE(store_->RecordOperation({VaultCall::kWrap, s.dek_b64url, "", 0, 200, {}, ""}).ok());
  // A legitimate row with every field used.
  ASSERT_TRUE(store_->RecordOperation({VaultCall::kWrap, "eastus", v.thumbprint, 0, 200,
                                       std::chrono::milliseconds(7), kGuid})
                  .ok());
  ASSERT_TRUE(store_->FlushAudit().ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 1);

  // No secret in any column of the audit table ...
  for (const std::string& secret : {s.dek, s.dek_b64url, s.token, s.client_secret}) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(dir_.File("state.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT * FROM operations", -1, &stmt, nullptr), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const void* blob = sqlite3_column_blob(stmt, c);
        const std::string cell(blob ? static_cast<const char*>(blob) : "",
                               static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
        EXPECT_EQ(cell.find(secret), std::string::npos) << sqlite3_column_name(stmt, c);
      }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  // ... nor anywhere in the file or its WAL (rejected records left no trace).
  store_.reset();
  for (const char* suffix : {"", "-wal"}) {
    const std::string bytes = state_test::ReadFileBytes(dir_.File("state.db") + suffix);
    for (const std::string& secret : {s.dek, s.dek_b64url, s.token, s.client_secret}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << "found in state.db" << suffix;
    }
  }
}

// Buffered audit rows are written several to an INSERT: a flush of more
// than one group and a remainder writes every row once, in order, with its
// own values (a row's thumbprint, request id and empty vault included).
TEST_F(StateStoreTest, AFlushWritesEveryBufferedAuditRowWithItsOwnValues) {
  const KeyBundle v = MakeBundle("tde", 1);
  ASSERT_TRUE(store_->RecordWrapKeyVersion("eastus", v).ok());
  constexpr int kRows = 75;  // two full groups of 32 and 11 more
  for (int i = 0; i < kRows; ++i) {
    OperationRecord o;
    o.op = i % 3 == 0 ? VaultCall::kUnwrap : VaultCall::kProbe;
    o.vault = i % 5 == 0 ? "" : (i % 2 ? "westus" : "eastus");
    o.thumbprint = i % 3 == 0 ? v.thumbprint : "";
    o.outcome_code = i;
    o.http_status = 200 + i;
    o.latency = std::chrono::milliseconds(1000 + i);
    o.request_id = i % 4 == 0 ? kGuid : "";
    o.started_ms = 1'000'000 + i;
    ASSERT_TRUE(store_->RecordOperation(o).ok()) << i;
  }
  ASSERT_TRUE(store_->FlushAudit().ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), kRows);
  // Row i carries i's values, in the order they were buffered.
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations WHERE outcome_code + 200 = http_status AND "
                      "latency_ms = 1000 + outcome_code AND time_ms = 1000000 + outcome_code AND "
                      "id = (SELECT min(id) FROM operations) + outcome_code"),
            kRows);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations WHERE (outcome_code % 3 = 0) = (op = 'unwrap') AND "
                      "(outcome_code % 3 = 0) = (thumbprint IS NOT NULL) AND "
                      "(outcome_code % 4 = 0) = (request_id IS NOT NULL) AND "
                      "(outcome_code % 5 = 0) = (vault IS NULL)"),
            kRows);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations WHERE thumbprint = '" + v.thumbprint + "'"), 25);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations WHERE request_id = '" + std::string(kGuid) + "'"), 19);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations WHERE vault = 'westus'"), 30);
}

TEST_F(StateStoreTest, AuditRetentionByAgeAndByRowCount) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->RecordOperation({VaultCall::kProbe, "eastus", "", 0, 200, {}, ""}).ok());
  ASSERT_TRUE(store_->FlushAudit().ok());
  clock_.Advance(std::chrono::milliseconds(std::chrono::hours(24 * 91)).count());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->RecordOperation({VaultCall::kProbe, "westus", "", 0, 200, {}, ""}).ok());
  auto deleted = store_->ApplyAuditRetention();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 5);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 3);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations WHERE vault = 'eastus'"), 0);
  store_.reset();

  // Row cap, applied when the file is opened.
  StateStoreOptions capped = Options();
  capped.audit_max_rows = 10;
  capped.audit_batch_rows = 1;
  {
    auto store = OpenOrDie(Options());
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(store->RecordOperation({VaultCall::kUnwrap, "eastus", "", 0, 200, std::chrono::milliseconds(i), ""}).ok());
    }
  }
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 33);
  auto store = OpenOrDie(capped);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 10);
  EXPECT_EQ(CountRows("SELECT min(latency_ms) FROM operations"), 20);  // the newest ten kept
}

TEST_F(StateStoreTest, RetentionRunsPeriodicallyWhileOpen) {
  store_.reset();
  StateStoreOptions o = Options();
  o.audit_max_rows = 4;
  o.audit_batch_rows = 1;
  o.retention_interval = std::chrono::minutes(10);
  auto store = OpenOrDie(o);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(store->RecordOperation({VaultCall::kProbe, "eastus", "", 0, 0, {}, ""}).ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 8);  // interval not reached
  clock_.Advance(11 * 60 * 1000);
  ASSERT_TRUE(store->RecordOperation({VaultCall::kProbe, "eastus", "", 0, 0, {}, ""}).ok());
  EXPECT_EQ(CountRows("SELECT count(*) FROM operations"), 4);
}

TEST_F(StateStoreTest, ExpiringCopiesAndKeyNames) {
  KeyBundle soon = MakeBundle("tde", 1);
  soon.attributes.exp = 1'800'000'000;
  KeyBundle later = MakeBundle("tde", 2);
  later.attributes.exp = 1'900'000'000;
  KeyBundle disabled = MakeBundle("other", 3);
  disabled.attributes.exp = 1'700'000'000;
  disabled.attributes.enabled = false;
  for (const auto& v : {later, soon, disabled, MakeBundle("tde", 4)}) {
    ASSERT_TRUE(store_->RecordCopyVerified("eastus", v).ok());
  }
  auto expiring = store_->CopiesExpiringBefore(1'850'000'000);
  ASSERT_TRUE(expiring.ok());
  ASSERT_EQ(expiring->size(), 1u);
  EXPECT_EQ((*expiring)[0].thumbprint, soon.thumbprint);
  EXPECT_EQ((*expiring)[0].exp, 1'800'000'000);
  auto all = store_->CopiesExpiringBefore(2'000'000'000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].thumbprint, later.thumbprint);

  auto names = store_->KeyNames();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"other", "tde"}));
}

TEST_F(StateStoreTest, UpsertVaultsUpdatesAndKeepsUnlistedVaults) {
  std::vector<VaultRecord> changed = {{"eastus", "https://v1b.vault.azure.net", "eastus2", "US", 5, {}, {}}};
  ASSERT_TRUE(store_->UpsertVaults(changed).ok());
  auto vaults = store_->Vaults();
  ASSERT_TRUE(vaults.ok());
  ASSERT_EQ(vaults->size(), 2u);
  EXPECT_EQ((*vaults)[0].name, "westus");  // priority 2 now first
  EXPECT_EQ((*vaults)[1].url, "https://v1b.vault.azure.net");
  EXPECT_EQ((*vaults)[1].region, "eastus2");
  EXPECT_FALSE(store_->UpsertVaults({VaultRecord{}}).ok());
}

}  // namespace
}  // namespace geoekm
