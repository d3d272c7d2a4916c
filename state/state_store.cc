#include "state/state_store.h"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"
#include "state/audit_insert_sql.h"
#include "state/schema_migrations.h"
#include "state/sqlite_statement.h"
#include "state/sqlite_transaction.h"
#include "state/state_file.h"

namespace geoekm {
namespace {

constexpr std::size_t kMaxDetailBytes = 512;

Status InvalidInput(std::string message) {
  return Status(codes::kStateStoreError, ErrorClass::kInvalidInput, "state store: " + std::move(message));
}

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view CutDetail(std::string_view text) { return text.substr(0, std::min(text.size(), kMaxDetailBytes)); }

// x-ms-request-id is a GUID: 8-4-4-4-12 hex digits. Anything else is refused
// so that the column cannot carry other data.
bool IsGuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string JoinOps(const std::vector<std::string>& ops) {
  std::string out;
  for (const auto& op : ops) {
    if (!out.empty()) out += ',';
    out += op;
  }
  return out;
}

std::vector<std::string> SplitOps(const std::string& joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < joined.size()) {
    std::size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    if (comma > start) out.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

constexpr std::string_view kKeyVersionColumns =
    "thumbprint, key_name, kty, size_bits, n, e, created, first_seen_ms, first_wrap_ms, last_wrap_ms";

KeyVersionRecord ReadKeyVersion(const SqliteStatement& row) {
  KeyVersionRecord r;
  r.thumbprint = row.Text(0);
  r.key_name = row.Text(1);
  r.kty = row.Text(2);
  r.size_bits = static_cast<int>(row.Int64(3));
  r.n = row.Text(4);
  r.e = row.Text(5);
  r.created = row.OptionalInt64(6);
  r.first_seen_ms = row.Int64(7);
  r.first_wrap_ms = row.OptionalInt64(8);
  r.last_wrap_ms = row.OptionalInt64(9);
  return r;
}

// Runs `pragma` and checks that its single result is `expected`.
Status ExpectPragma(SqliteConnection& connection, std::string_view pragma, std::string_view expected) {
  auto stmt = connection.Prepare(pragma);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  const std::string got = *row ? stmt->Text(0) : "";
  if (got != expected) {
    return Status(codes::kStateStoreError, ErrorClass::kInternal,
                  "state store: " + std::string(pragma) + " answered '" + got + "', expected '" +
                      std::string(expected) + "'");
  }
  return Status::Ok();
}

// PRAGMA journal_mode=WAL. Two processes switching a fresh file at once both
// hold SHARED and want EXCLUSIVE; SQLite then answers BUSY at once instead of
// calling the busy handler (it would deadlock), so we retry here, within the
// busy timeout.
Status SwitchToWal(SqliteConnection& connection, std::chrono::milliseconds busy_timeout) {
  const auto give_up = std::chrono::steady_clock::now() + busy_timeout;
  std::minstd_rand jitter(static_cast<unsigned>(getpid()));
  for (;;) {
    Status status = ExpectPragma(connection, "PRAGMA journal_mode=WAL", "wal");
    if (status.ok() || status.error_class() != ErrorClass::kTransient ||
        std::chrono::steady_clock::now() >= give_up) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + jitter() % 20));
  }
}

// PRAGMA integrity_check; anything but a single "ok" is an integrity failure.
// SQLite errors that are not about the content (I/O, a read-only or locked
// file) keep their own class: "move it aside" would be the wrong advice.
Status RunIntegrityCheck(SqliteConnection& connection) {
  const std::string advice = " — the file was not modified; move it aside and rebuild the state from the "
                             "vaults (geoekm state rebuild)";
  auto failed = [&](const Status& s) {
    if (s.error_class() != ErrorClass::kIntegrity) {
      return Status(s.code(), s.error_class(),
                    "state store: cannot run the integrity check of " + connection.path() + ": " + s.message());
    }
    return Status(codes::kStateStoreError, ErrorClass::kIntegrity,
                  "state store: integrity check of " + connection.path() + " failed: " + s.message() + advice);
  };
  auto stmt = connection.Prepare("PRAGMA integrity_check(20)");
  if (!stmt.ok()) return failed(stmt.status());
  std::vector<std::string> problems;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return failed(row.status());
    if (!*row) break;
    problems.push_back(stmt->Text(0));
  }
  if (problems.size() == 1 && problems[0] == "ok") return Status::Ok();
  std::string summary;
  for (std::size_t i = 0; i < problems.size() && i < 3; ++i) summary += (i ? "; " : "") + problems[i];
  return Status(codes::kStateStoreError, ErrorClass::kIntegrity,
                "state store: integrity check of " + connection.path() + " failed: " + summary + advice);
}

}  // namespace

Result<std::unique_ptr<StateStore>> StateStore::Open(StateStoreOptions options) {
  if (options.path.empty()) return InvalidInput("no state file path configured");
  if (!options.clock) options.clock = SystemNowMs;
  if (options.audit_batch_rows == 0) options.audit_batch_rows = 1;

  Status status = CreateOrTightenStateFile(options.path);
  if (!status.ok()) return status;
  auto connection = SqliteConnection::OpenExisting(options.path);
  if (!connection.ok()) return connection.status();
  sqlite3* db = connection->handle();
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  // Until the file is known good, closing must not checkpoint a WAL into it.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);

  status = RunIntegrityCheck(*connection);
  if (!status.ok()) return status;
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);

  status = SwitchToWal(*connection, options.busy_timeout);
  if (!status.ok()) return status;
  for (std::string_view pragma : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    status = connection->Exec(pragma, pragma);
    if (!status.ok()) return status;
  }
  status = ExpectPragma(*connection, "PRAGMA synchronous", "2");
  if (!status.ok()) return status;

  const std::int64_t now = options.clock();
  auto version = MigrateStateSchema(*connection, now);
  if (!version.ok()) return version.status();
  status = TightenStateCompanions(options.path);
  if (!status.ok()) return status;

  // The read connection comes last: the file exists 0600, is checked, in WAL
  // mode and migrated, and read-only it can change none of that. In WAL mode
  // its queries read the last commit and never wait for a writer.
  auto reader = SqliteConnection::OpenReadOnly(options.path);
  if (!reader.ok()) return reader.status();
  sqlite3_busy_timeout(reader->handle(), static_cast<int>(options.busy_timeout.count()));
  status = ExpectPragma(*reader, "PRAGMA journal_mode", "wal");
  if (!status.ok()) return status;

  std::unique_ptr<StateStore> store(
      new StateStore(std::move(options), std::move(connection.value()), std::move(reader.value())));
  store->schema_version_ = *version;
  if (store->options_.on_commit) {
    sqlite3_commit_hook(
        store->connection_.handle(),
        [](void* self) {
          static_cast<StateStore*>(self)->options_.on_commit();
          return 0;  // 0 = let the commit proceed
        },
        store.get());
  }
  auto deleted = store->ApplyAuditRetention();
  if (!deleted.ok()) return deleted.status();
  return store;
}

StateStore::StateStore(StateStoreOptions options, SqliteConnection connection, SqliteConnection reader)
    : options_(std::move(options)), connection_(std::move(connection)), reader_(std::move(reader)) {}

StateStore::~StateStore() { (void)WriteAuditBuffer(); }

std::int64_t StateStore::Now() const { return options_.clock(); }

// --- validation helpers ------------------------------------------------------

Result<std::string> StateStore::ValidateVersionLocked(const KeyBundle& version) const {
  if (version.name.empty()) return InvalidInput("key version without a key name (kid '" + version.kid + "')");
  auto thumbprint = RsaJwkThumbprint(version.kty, version.n, version.e);
  if (!thumbprint.ok()) {
    return Status(thumbprint.status()).Prefix("state store: key version " + version.kid + ": ");
  }
  if (!version.thumbprint.empty() && version.thumbprint != *thumbprint) {
    return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                  "state store: key version " + version.kid + " claims thumbprint " + version.thumbprint +
                      " but its key material has thumbprint " + *thumbprint);
  }
  return std::move(thumbprint.value());
}

Result<bool> StateStore::VaultExistsLocked(std::string_view vault) {
  if (known_vaults_.count(vault)) return true;
  auto stmt = connection_.Prepare("SELECT 1 FROM vaults WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(vault);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (*row) known_vaults_.emplace(vault);
  return *row;
}

Result<bool> StateStore::KeyVersionExistsLocked(std::string_view thumbprint) {
  if (known_thumbprints_.count(thumbprint)) return true;
  auto stmt = connection_.Prepare("SELECT 1 FROM key_versions WHERE thumbprint = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(thumbprint);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  // Inside a batch the row may be the batch's own, not committed yet.
  if (*row) AfterCommitLocked([this, key = std::string(thumbprint)] { known_thumbprints_.insert(key); });
  return *row;
}

Status StateStore::RequireVaultLocked(std::string_view vault) {
  auto exists = VaultExistsLocked(vault);
  if (!exists.ok()) return exists.status();
  if (!*exists) return InvalidInput("unknown vault '" + std::string(vault) + "' (register it with UpsertVaults first)");
  return Status::Ok();
}

// --- write helpers -----------------------------------------------------------

Result<bool> StateStore::InsertKeyVersionLocked(const KeyBundle& version, const std::string& thumbprint,
                                                std::int64_t now_ms, bool as_wrap) {
  auto insert = connection_.Prepare(
      "INSERT INTO key_versions(thumbprint, key_name, kty, size_bits, n, e, created, first_seen_ms, first_wrap_ms, "
      "last_wrap_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(thumbprint) DO NOTHING");
  if (!insert.ok()) return insert.status();
  const std::optional<std::int64_t> wrap = as_wrap ? std::optional<std::int64_t>(now_ms) : std::nullopt;
  insert->BindAll(thumbprint, version.name, version.kty, static_cast<std::int64_t>(version.key_size_bits), version.n,
                  version.e, version.attributes.created, now_ms, wrap, wrap);
  Status status = insert->Run();
  if (!status.ok()) return status;
  const bool inserted = sqlite3_changes(connection_.handle()) > 0;
  if (!inserted) {
    // Known version: fill what was unknown, never rewrite what was known.
    auto update = connection_.Prepare(
        "UPDATE key_versions SET created = coalesce(created, ?2), "
        "first_wrap_ms = CASE WHEN ?3 THEN coalesce(first_wrap_ms, ?4) ELSE first_wrap_ms END, "
        "last_wrap_ms = CASE WHEN ?3 THEN max(coalesce(last_wrap_ms, 0), ?4) ELSE last_wrap_ms END "
        "WHERE thumbprint = ?1");
    if (!update.ok()) return update.status();
    update->Bind(1, thumbprint).Bind(2, version.attributes.created).Bind(3, std::int64_t{as_wrap ? 1 : 0}).Bind(4, now_ms);
    status = update->Run();
    if (!status.ok()) return status;
  }
  return inserted;
}

Status StateStore::UpsertCopyLocked(std::string_view vault, const std::string& thumbprint, const KeyBundle* version,
                                    CopyStatus status, std::optional<std::int64_t> verified_ms,
                                    std::string_view detail, std::string_view observed_thumbprint,
                                    std::int64_t now_ms) {
  // Attributes come from `version` when we have one; otherwise the row keeps
  // (or starts without) them.
  auto stmt = connection_.Prepare(
      "INSERT INTO vault_key_copies(vault, thumbprint, kid, version_id, enabled, nbf, exp, key_ops, "
      "last_verified_ms, status, observed_thumbprint, detail, updated_ms) "
      "VALUES (?1, ?2, coalesce(?3, ''), coalesce(?4, ''), ?5, ?6, ?7, coalesce(?8, ''), ?9, ?10, ?11, ?12, ?13) "
      "ON CONFLICT(vault, thumbprint) DO UPDATE SET "
      "kid = coalesce(?3, kid), version_id = coalesce(?4, version_id), "
      "enabled = CASE WHEN ?3 IS NULL THEN enabled ELSE ?5 END, "
      "nbf = CASE WHEN ?3 IS NULL THEN nbf ELSE ?6 END, "
      "exp = CASE WHEN ?3 IS NULL THEN exp ELSE ?7 END, "
      "key_ops = coalesce(?8, key_ops), "
      "last_verified_ms = coalesce(?9, last_verified_ms), status = ?10, observed_thumbprint = ?11, detail = ?12, "
      "updated_ms = ?13");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, vault).Bind(2, thumbprint);
  if (version != nullptr) {
    stmt->Bind(3, version->kid).Bind(4, version->version).Bind(5, version->attributes.enabled);
    stmt->Bind(6, version->attributes.nbf).Bind(7, version->attributes.exp).Bind(8, JoinOps(version->key_ops));
  } else {
    for (int i = 3; i <= 8; ++i) stmt->BindNull(i);
  }
  stmt->Bind(9, verified_ms).Bind(10, CopyStatusName(status));
  if (observed_thumbprint.empty()) {
    stmt->BindNull(11);
  } else {
    stmt->Bind(11, observed_thumbprint);
  }
  stmt->Bind(12, CutDetail(detail)).Bind(13, now_ms);
  return stmt->Run();
}

Status StateStore::UpsertVaultLocked(const VaultRecord& vault, std::int64_t now_ms) {
  if (vault.name.empty() || vault.name.size() > 128) return InvalidInput("vault name must be 1..128 characters");
  auto stmt = connection_.Prepare(
      "INSERT INTO vaults(name, url, region, geography, priority, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT(name) DO UPDATE SET url = ?2, region = ?3, geography = ?4, priority = ?5, updated_ms = ?6");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(vault.name, vault.url, vault.region, vault.geography, static_cast<std::int64_t>(vault.priority), now_ms);
  return stmt->Run();
}

// --- batches -----------------------------------------------------------------

StateStore::Batch StateStore::BeginBatch() { return Batch(*this); }

StateStore::Batch::Batch(StateStore& store) : store_(&store), lock_(store.mu_) { store.open_batch_ = this; }

StateStore::Batch::~Batch() { End(); }

void StateStore::Batch::End() {
  if (!lock_.owns_lock()) return;
  tx_.reset();  // rolls back whatever was not committed
  store_->open_batch_ = nullptr;
  lock_.unlock();
}

Status StateStore::Batch::Break(Status status) {
  broken_ = status;
  tx_.reset();
  return status;
}

Status StateStore::Batch::Write(const std::function<Status()>& write) {
  if (!lock_.owns_lock()) return InvalidInput("write to a batch that has ended");
  if (broken()) return broken_;
  SqliteConnection& db = store_->connection_;
  if (!tx_) {
    auto tx = SqliteTransaction::BeginImmediate(db);
    if (!tx.ok()) return Break(tx.status());
    tx_.emplace(std::move(tx.value()));
  }
  Status status = db.Exec("SAVEPOINT batch_record", "beginning a record of a batch");
  if (!status.ok()) return Break(status);
  const Status written = write();
  if (written.ok()) {
    status = db.Exec("RELEASE batch_record", "ending a record of a batch");
    return status.ok() ? written : Break(status);
  }
  // On some errors (I/O, disk full, out of memory) SQLite rolls back the
  // whole transaction: then the batch is lost, not only this record.
  if (sqlite3_get_autocommit(db.handle()) != 0) return Break(written);
  status = db.Exec("ROLLBACK TO batch_record; RELEASE batch_record", "undoing a refused record");
  return status.ok() ? written : Break(status);
}

Status StateStore::Batch::RecordHealthTransition(const VaultHealthEvent& transition) {
  return Write([&] { return store_->HealthTransitionLocked(transition, store_->Now()); });
}

Status StateStore::Batch::RecordWrapKeyVersion(std::string_view vault, const KeyBundle& version) {
  if (!lock_.owns_lock()) return InvalidInput("write to a batch that has ended");
  auto thumbprint = store_->ValidateVersionLocked(version);
  if (!thumbprint.ok()) return thumbprint.status();
  const std::int64_t now = store_->Now();
  // Fast path: this process already committed the row and the copy, and
  // last_wrap_ms is fresh enough. Rows are never deleted, so "committed once"
  // stays true.
  const auto& marks = store_->wrap_marks_;
  auto mark = marks.find(*thumbprint);
  if (mark != marks.end() &&
      std::find(mark->second.vaults_with_copy.begin(), mark->second.vaults_with_copy.end(), vault) !=
          mark->second.vaults_with_copy.end() &&
      now - mark->second.last_wrap_written_ms <
          std::chrono::milliseconds(store_->options_.last_wrap_granularity).count()) {
    return Status::Ok();
  }
  return Write([&] { return store_->WrapKeyVersionLocked(vault, version, *thumbprint, now); });
}

Status StateStore::Batch::RecordCopyVerified(std::string_view vault, const KeyBundle& version) {
  if (!lock_.owns_lock()) return InvalidInput("write to a batch that has ended");
  auto thumbprint = store_->ValidateVersionLocked(version);
  if (!thumbprint.ok()) return thumbprint.status();
  return Write([&] { return store_->CopyVerifiedLocked(vault, version, *thumbprint, store_->Now()); });
}

Status StateStore::Batch::RecordCopyStatus(std::string_view vault, std::string_view thumbprint, CopyStatus status,
                                           std::string_view detail, std::string_view observed_thumbprint) {
  if (status == CopyStatus::kVerified) {
    return InvalidInput("a copy is recorded as verified with RecordCopyVerified (it needs the key material)");
  }
  if (!observed_thumbprint.empty() && observed_thumbprint.size() != 43) {
    return InvalidInput("observed thumbprint is not an RFC 7638 SHA-256 thumbprint");
  }
  return Write([&] {
    return store_->CopyStatusLocked(vault, thumbprint, status, detail, observed_thumbprint, store_->Now());
  });
}

Status StateStore::Batch::RecordOperation(const OperationRecord& operation) {
  return RecordOperation(OperationRecord(operation));
}

Status StateStore::Batch::RecordOperation(OperationRecord&& operation) {
  if (!lock_.owns_lock()) return InvalidInput("write to a batch that has ended");
  return store_->BufferOperationLocked(std::move(operation));
}

Result<bool> StateStore::Batch::KnowsKeyVersion(std::string_view thumbprint) {
  if (!lock_.owns_lock()) return InvalidInput("read from a batch that has ended");
  if (broken()) return broken_;
  return store_->KeyVersionExistsLocked(thumbprint);
}

Status StateStore::Batch::Commit() {
  if (!lock_.owns_lock()) return InvalidInput("commit of a batch that has ended");
  if (broken()) {
    End();
    return broken_;
  }
  StateStore& store = *store_;
  const std::int64_t now = store.Now();
  // Audit rows ride along with any other write; alone, only when due.
  bool audit_written = false;
  if (!store.pending_audit_.empty() && (tx_ || write_audit_now_ || store.AuditDueLocked(now))) {
    audit_status_ = Write([&] { return store.WritePendingAuditLocked(); });
    audit_written = audit_status_.ok();
  }
  // Retention rides along with a commit that happens anyway, or a flush.
  bool retention_ran = false;
  if (!broken() && (retention_now_ || ((tx_ || write_audit_now_) &&
                                       now - store.last_retention_ms_ >=
                                           std::chrono::milliseconds(store.options_.retention_interval).count()))) {
    auto needed = store.AuditRetentionNeededLocked(now);
    if (!needed.ok()) {
      audit_status_ = needed.status();
    } else if (!*needed) {
      store.last_retention_ms_ = now;  // nothing to delete; no write lock taken
    } else {
      Status deleted = Write([&] {
        auto rows = store.DeleteExpiredAuditLocked(now);
        if (rows.ok()) audit_rows_deleted_ = *rows;
        return rows.status();
      });
      if (deleted.ok()) {
        retention_ran = true;
      } else {
        audit_rows_deleted_ = 0;
        audit_status_ = deleted;
      }
    }
  }
  if (broken()) {
    End();
    return broken_;
  }
  if (!tx_) {
    End();
    return Status::Ok();
  }
  Status committed = tx_->Commit();
  if (!committed.ok()) {
    audit_rows_deleted_ = 0;
    (void)Break(committed);
    End();
    return committed;
  }
  tx_.reset();
  if (audit_written) {
    store.pending_audit_.clear();
    store.audit_buffered_.store(false);
  }
  if (retention_ran) store.last_retention_ms_ = now;
  for (auto& update : after_commit_) update();
  End();
  return Status::Ok();
}

void StateStore::AfterCommitLocked(std::function<void()> update) {
  if (open_batch_ != nullptr && open_batch_->tx_) {
    open_batch_->after_commit_.push_back(std::move(update));
  } else {
    update();  // no write transaction open: what was read is committed
  }
}

template <typename Record>
Status StateStore::WriteOne(Record&& record) {
  Batch batch = BeginBatch();
  Status status = record(batch);
  if (!status.ok()) return status;
  return batch.Commit();
}

// --- vaults and health -------------------------------------------------------

Status StateStore::UpsertVaults(const std::vector<VaultRecord>& vaults) {
  std::lock_guard lock(mu_);
  const std::int64_t now = Now();
  auto tx = SqliteTransaction::BeginImmediate(connection_);
  if (!tx.ok()) return tx.status();
  for (const VaultRecord& vault : vaults) {
    Status status = UpsertVaultLocked(vault, now);
    if (!status.ok()) return status;
  }
  Status status = tx->Commit();
  if (!status.ok()) return status;
  for (const VaultRecord& vault : vaults) known_vaults_.insert(vault.name);
  return Status::Ok();
}

Status StateStore::RecordHealthTransition(const VaultHealthEvent& transition) {
  return WriteOne([&](Batch& batch) { return batch.RecordHealthTransition(transition); });
}

Status StateStore::HealthTransitionLocked(const VaultHealthEvent& transition, std::int64_t now_ms) {
  Status status = RequireVaultLocked(transition.vault);
  if (!status.ok()) return status;
  auto event = connection_.Prepare(
      "INSERT INTO health_events(time_ms, vault, from_state, to_state, reason, error_code, http_status) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!event.ok()) return event.status();
  event->BindAll(now_ms, transition.vault, VaultHealthStateName(transition.from), VaultHealthStateName(transition.to),
                 CutDetail(transition.reason), static_cast<std::int64_t>(transition.error_code),
                 static_cast<std::int64_t>(transition.http_status));
  status = event->Run();
  if (!status.ok()) return status;
  auto vault = connection_.Prepare("UPDATE vaults SET health_state = ?, health_since_ms = ? WHERE name = ?");
  if (!vault.ok()) return vault.status();
  vault->BindAll(VaultHealthStateName(transition.to), now_ms, transition.vault);
  return vault->Run();
}

// --- key versions ------------------------------------------------------------

Status StateStore::RecordWrapKeyVersion(std::string_view vault, const KeyBundle& version) {
  return WriteOne([&](Batch& batch) { return batch.RecordWrapKeyVersion(vault, version); });
}

Status StateStore::WrapKeyVersionLocked(std::string_view vault, const KeyBundle& version,
                                        const std::string& thumbprint, std::int64_t now_ms) {
  Status status = RequireVaultLocked(vault);
  if (!status.ok()) return status;
  auto inserted = InsertKeyVersionLocked(version, thumbprint, now_ms, /*as_wrap=*/true);
  if (!inserted.ok()) return inserted.status();
  // The copy row: created as unverified if absent; an existing row (verified,
  // quarantined...) keeps its status — verification is the router's to record.
  auto copy = connection_.Prepare(
      "INSERT INTO vault_key_copies(vault, thumbprint, kid, version_id, enabled, nbf, exp, key_ops, status, "
      "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'unverified', ?) ON CONFLICT(vault, thumbprint) DO NOTHING");
  if (!copy.ok()) return copy.status();
  copy->BindAll(vault, thumbprint, version.kid, version.version, version.attributes.enabled, version.attributes.nbf,
                version.attributes.exp, JoinOps(version.key_ops), now_ms);
  status = copy->Run();
  if (!status.ok()) return status;
  // Defence in depth for docs/ARCHITECTURE.md, invariant 2: a copy known to hold other material
  // (or quarantined) must never have wrapped anything; refuse, so the router
  // does not return the wrapped bytes.
  auto copy_status = connection_.Prepare("SELECT status FROM vault_key_copies WHERE vault = ? AND thumbprint = ?");
  if (!copy_status.ok()) return copy_status.status();
  copy_status->BindAll(vault, thumbprint);
  auto has_row = copy_status->Step();
  if (!has_row.ok()) return has_row.status();
  const std::optional<CopyStatus> current = *has_row ? ParseCopyStatus(copy_status->Text(0)) : std::nullopt;
  if (current == CopyStatus::kMismatch || current == CopyStatus::kQuarantined) {
    return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity,
                  "state store: vault " + std::string(vault) + "'s copy of key version " + thumbprint + " is " +
                      std::string(CopyStatusName(*current)) + "; a wrap with it is refused")
        .WithVault(std::string(vault));
  }
  AfterCommitLocked([this, thumbprint, vault = std::string(vault), now_ms] {
    known_thumbprints_.insert(thumbprint);
    WrapMark& m = wrap_marks_[thumbprint];
    m.last_wrap_written_ms = now_ms;
    if (std::find(m.vaults_with_copy.begin(), m.vaults_with_copy.end(), vault) == m.vaults_with_copy.end()) {
      m.vaults_with_copy.push_back(vault);
    }
  });
  return Status::Ok();
}

Status StateStore::RecordCopyVerified(std::string_view vault, const KeyBundle& version) {
  return WriteOne([&](Batch& batch) { return batch.RecordCopyVerified(vault, version); });
}

Status StateStore::CopyVerifiedLocked(std::string_view vault, const KeyBundle& version, const std::string& thumbprint,
                                      std::int64_t now_ms) {
  Status status = RequireVaultLocked(vault);
  if (!status.ok()) return status;
  auto inserted = InsertKeyVersionLocked(version, thumbprint, now_ms, /*as_wrap=*/false);
  if (!inserted.ok()) return inserted.status();
  status = UpsertCopyLocked(vault, thumbprint, &version, CopyStatus::kVerified, now_ms, "", "", now_ms);
  if (!status.ok()) return status;
  AfterCommitLocked([this, thumbprint] { known_thumbprints_.insert(thumbprint); });
  return Status::Ok();
}

Status StateStore::RecordCopyStatus(std::string_view vault, std::string_view thumbprint, CopyStatus status_value,
                                    std::string_view detail, std::string_view observed_thumbprint) {
  return WriteOne([&](Batch& batch) {
    return batch.RecordCopyStatus(vault, thumbprint, status_value, detail, observed_thumbprint);
  });
}

Status StateStore::CopyStatusLocked(std::string_view vault, std::string_view thumbprint, CopyStatus status_value,
                                    std::string_view detail, std::string_view observed_thumbprint,
                                    std::int64_t now_ms) {
  Status status = RequireVaultLocked(vault);
  if (!status.ok()) return status;
  auto known = KeyVersionExistsLocked(thumbprint);
  if (!known.ok()) return known.status();
  if (!*known) return InvalidInput("unknown key version " + std::string(thumbprint));
  status = UpsertCopyLocked(vault, std::string(thumbprint), nullptr, status_value, std::nullopt, detail,
                            observed_thumbprint, now_ms);
  if (!status.ok()) return status;
  // A copy that is no longer usable must not satisfy the wrap fast path —
  // at once, not at the commit: a wrap later in the same batch must take the
  // slow path and be refused (forgetting a mark is always safe).
  auto mark = wrap_marks_.find(std::string(thumbprint));
  if (mark != wrap_marks_.end()) {
    auto& v = mark->second.vaults_with_copy;
    v.erase(std::remove(v.begin(), v.end(), vault), v.end());
  }
  return Status::Ok();
}

// --- audit -------------------------------------------------------------------

Status StateStore::RecordOperation(const OperationRecord& operation) {
  Batch batch = BeginBatch();
  Status status = batch.RecordOperation(operation);
  if (!status.ok()) return status;
  status = batch.Commit();
  return status.ok() ? batch.audit_status() : status;
}

Status StateStore::BufferOperationLocked(OperationRecord&& operation) {
  if (!operation.request_id.empty() && !IsGuid(operation.request_id)) {
    return InvalidInput("audit request id is not a GUID; it is not recorded");
  }
  if (operation.latency.count() < 0) return InvalidInput("negative latency in an audit record");
  if (operation.started_ms < 0) return InvalidInput("negative start time in an audit record");
  if (operation.count < 1) return InvalidInput("an audit record stands for at least one call");
  if (!operation.vault.empty()) {
    Status status = RequireVaultLocked(operation.vault);
    if (!status.ok()) return status;
  }
  if (!operation.thumbprint.empty()) {
    // Only a thumbprint of a recorded key version is accepted: arbitrary
    // bytes (a DEK, a token) cannot pass as one.
    auto known = KeyVersionExistsLocked(operation.thumbprint);
    if (!known.ok()) return known.status();
    if (!*known) return InvalidInput("audit record names a key version the store does not know");
  }
  if (pending_audit_.size() >= options_.audit_max_pending) {
    pending_audit_.erase(pending_audit_.begin());
    ++audit_rows_dropped_;
  }
  const std::int64_t time_ms = operation.started_ms > 0 ? operation.started_ms : Now();
  pending_audit_.push_back({time_ms, std::move(operation)});
  audit_buffered_.store(true);
  return Status::Ok();
}

bool StateStore::AuditDueLocked(std::int64_t now_ms) const {
  if (pending_audit_.empty()) return false;
  return pending_audit_.size() >= options_.audit_batch_rows ||
         now_ms - pending_audit_.front().time_ms >= options_.audit_flush_interval.count();
}

Status StateStore::WritePendingAuditLocked() {
  // Full groups share one statement; only the last group may be shorter.
  for (std::size_t done = 0; done < pending_audit_.size();) {
    const std::size_t rows = std::min(kAuditRowsPerInsert, pending_audit_.size() - done);
    std::optional<SqliteStatement>& stmt = audit_inserts_[rows];
    if (!stmt) {
      auto prepared = connection_.Prepare(AuditInsertSql(rows));
      if (!prepared.ok()) return prepared.status();
      stmt.emplace(std::move(prepared).value());
    }
    stmt->Reset();  // after a run, or one that failed with the batch
    // The rows' texts are bound where they lie in pending_audit_ (or are
    // static): unbound again however this group ends.
    struct Unbind {
      SqliteStatement& stmt;
      ~Unbind() { stmt.ClearBindings(); }
    } unbind{*stmt};
    for (std::size_t r = 0; r < rows; ++r) {
      const PendingOperation& p = pending_audit_[done + r];
      const OperationRecord& o = p.operation;
      // The thumbprint was checked when the row was buffered; if its version
      // was recorded in a batch that then failed, the row is written without
      // it rather than failing every later flush (audit_insert_sql.h).
      bool version_present = false;
      if (!o.thumbprint.empty()) {
        auto present = KeyVersionExistsLocked(o.thumbprint);
        if (!present.ok()) return present.status();
        version_present = *present;
      }
      static const std::string kNone;
      using Borrowed = SqliteStatement::Borrowed;
      stmt->BindFrom(static_cast<int>(r) * kAuditColumns + 1, p.time_ms, Borrowed{VaultCallName(o.op)},
                     Borrowed{o.vault}, Borrowed{version_present ? o.thumbprint : kNone},
                     static_cast<std::int64_t>(o.outcome_code), static_cast<std::int64_t>(o.http_status),
                     static_cast<std::int64_t>(o.latency.count()), Borrowed{o.request_id}, o.count);
    }
    Status status = stmt->Run();
    if (!status.ok()) return status;
    done += rows;
  }
  return Status::Ok();
}

Status StateStore::FlushAudit() {
  Batch batch = BeginBatch();
  batch.WriteAuditNow();
  Status status = batch.Commit();
  return status.ok() ? batch.audit_status() : status;
}

Status StateStore::WriteAuditBuffer() {
  if (!audit_buffered_.load()) return Status::Ok();  // nothing of ours to write: no write mutex
  Batch batch = BeginBatch();
  batch.WriteAuditNow();
  Status status = batch.Commit();
  return status.ok() ? batch.audit_status() : status;
}

Result<bool> StateStore::AuditRetentionNeededLocked(std::int64_t now_ms) {
  const std::int64_t cutoff = now_ms - std::chrono::milliseconds(options_.audit_max_age).count();
  // Both indexed: most of the time there is nothing to delete, and then no
  // write lock is taken. Ids only grow and rows are only deleted from the
  // oldest end, so max - min + 1 bounds the row count.
  auto need = connection_.Prepare(
      "SELECT coalesce(min(time_ms) < ?1, 0) OR coalesce(max(id) - min(id) + 1 > ?2, 0) FROM operations");
  if (!need.ok()) return need.status();
  need->BindAll(cutoff, std::max<std::int64_t>(options_.audit_max_rows, 0));
  auto row = need->Step();
  if (!row.ok()) return row.status();
  return need->Int64(0) != 0;
}

Result<std::int64_t> StateStore::DeleteExpiredAuditLocked(std::int64_t now_ms) {
  const std::int64_t cutoff = now_ms - std::chrono::milliseconds(options_.audit_max_age).count();
  auto by_age = connection_.Prepare("DELETE FROM operations WHERE time_ms < ?");
  if (!by_age.ok()) return by_age.status();
  by_age->BindAll(cutoff);
  Status status = by_age->Run();
  if (!status.ok()) return status;
  std::int64_t deleted = sqlite3_changes(connection_.handle());
  auto by_count = connection_.Prepare(
      "DELETE FROM operations WHERE id <= (SELECT id FROM operations ORDER BY id DESC LIMIT 1 OFFSET ?)");
  if (!by_count.ok()) return by_count.status();
  by_count->BindAll(std::max<std::int64_t>(options_.audit_max_rows, 0));
  status = by_count->Run();
  if (!status.ok()) return status;
  return deleted + sqlite3_changes(connection_.handle());
}

Result<std::int64_t> StateStore::ApplyAuditRetention() {
  Batch batch = BeginBatch();
  batch.WriteAuditNow();
  batch.ApplyRetentionNow();
  Status status = batch.Commit();
  if (status.ok()) status = batch.audit_status();
  if (!status.ok()) return status;
  return batch.audit_rows_deleted();
}

std::uint64_t StateStore::audit_rows_dropped() const {
  std::lock_guard lock(mu_);
  return audit_rows_dropped_;
}

// --- queries -----------------------------------------------------------------

Result<std::vector<VaultRecord>> StateStore::Vaults() {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare(
      "SELECT name, url, region, geography, priority, health_state, health_since_ms FROM vaults "
      "ORDER BY priority, name");
  if (!stmt.ok()) return stmt.status();
  std::vector<VaultRecord> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    VaultRecord v;
    v.name = stmt->Text(0);
    v.url = stmt->Text(1);
    v.region = stmt->Text(2);
    v.geography = stmt->Text(3);
    v.priority = static_cast<int>(stmt->Int64(4));
    v.health = ParseVaultHealthState(stmt->Text(5));  // 'unknown' (never recorded) reads as nullopt
    v.health_since_ms = stmt->OptionalInt64(6);
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::optional<KeyVersionRecord>> StateStore::FindKeyVersion(std::string_view thumbprint) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare("SELECT " + std::string(kKeyVersionColumns) +
                                  " FROM key_versions WHERE thumbprint = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(thumbprint);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<KeyVersionRecord>();
  return std::optional<KeyVersionRecord>(ReadKeyVersion(*stmt));
}

Result<std::optional<std::string>> StateStore::ThumbprintForKid(std::string_view kid) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare("SELECT thumbprint FROM vault_key_copies WHERE kid = ? LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(kid);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->Text(0));
}

Result<std::vector<KeyVersionRecord>> StateStore::KeyHistory(std::string_view key_name) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare("SELECT " + std::string(kKeyVersionColumns) +
                                  " FROM key_versions WHERE key_name = ? "
                                  "ORDER BY created IS NULL, created, first_seen_ms, thumbprint");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(key_name);
  std::vector<KeyVersionRecord> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadKeyVersion(*stmt));
  }
  return out;
}

template <typename Value>
Result<std::vector<VaultKeyCopyRecord>> StateStore::QueryCopiesLocked(std::string_view where, const Value& value,
                                                                      std::string_view order) {
  auto stmt = reader_.Prepare(
      "SELECT c.vault, c.thumbprint, c.kid, c.version_id, c.enabled, c.nbf, c.exp, c.key_ops, c.last_verified_ms, "
      "c.status, c.observed_thumbprint, c.detail, c.updated_ms FROM vault_key_copies c "
      "JOIN key_versions k ON k.thumbprint = c.thumbprint JOIN vaults v ON v.name = c.vault WHERE " +
      std::string(where) + " ORDER BY " + std::string(order));
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(value);
  std::vector<VaultKeyCopyRecord> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    VaultKeyCopyRecord c;
    c.vault = stmt->Text(0);
    c.thumbprint = stmt->Text(1);
    c.kid = stmt->Text(2);
    c.version_id = stmt->Text(3);
    c.enabled = stmt->OptionalBool(4);
    c.nbf = stmt->OptionalInt64(5);
    c.exp = stmt->OptionalInt64(6);
    c.key_ops = SplitOps(stmt->Text(7));
    c.last_verified_ms = stmt->OptionalInt64(8);
    c.status = ParseCopyStatus(stmt->Text(9)).value_or(CopyStatus::kUnverified);
    c.observed_thumbprint = stmt->Text(10);
    c.detail = stmt->Text(11);
    c.updated_ms = stmt->Int64(12);
    out.push_back(std::move(c));
  }
  return out;
}

constexpr std::string_view kCopiesByAge = "v.priority, k.created IS NULL, k.created, k.first_seen_ms";

Result<std::vector<VaultKeyCopyRecord>> StateStore::CopiesInVault(std::string_view vault) {
  std::lock_guard lock(read_mu_);
  return QueryCopiesLocked("c.vault = ?", vault, kCopiesByAge);
}

Result<std::vector<VaultKeyCopyRecord>> StateStore::CopiesOfVersion(std::string_view thumbprint) {
  std::lock_guard lock(read_mu_);
  return QueryCopiesLocked("c.thumbprint = ?", thumbprint, kCopiesByAge);
}

Result<std::vector<VaultKeyCopyRecord>> StateStore::CopiesExpiringBefore(std::int64_t before_unix_s) {
  std::lock_guard lock(read_mu_);
  return QueryCopiesLocked("c.exp IS NOT NULL AND c.exp < ? AND coalesce(c.enabled, 1) = 1", before_unix_s,
                           "c.exp, v.priority");
}

Result<std::vector<std::string>> StateStore::KeyNames() {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare("SELECT DISTINCT key_name FROM key_versions ORDER BY key_name");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(stmt->Text(0));
  }
  return out;
}

Result<std::vector<HealthEventRecord>> StateStore::HealthEventsSince(std::int64_t since_ms) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare(
      "SELECT id, time_ms, vault, from_state, to_state, reason, error_code, http_status FROM health_events "
      "WHERE time_ms >= ? ORDER BY time_ms, id");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(since_ms);
  std::vector<HealthEventRecord> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::optional<VaultHealthState> from = ParseVaultHealthState(stmt->Text(3));
    const std::optional<VaultHealthState> to = ParseVaultHealthState(stmt->Text(4));
    // geoekm writes only VaultHealthStateName's words (or, before the
    // vocabularies merged, "degraded"); a row with another word was not
    // written by it and is left out rather than shown as some state.
    if (!from || !to) continue;
    HealthEventRecord e;
    e.id = stmt->Int64(0);
    e.time_ms = stmt->Int64(1);
    e.transition.vault = stmt->Text(2);
    e.transition.from = *from;
    e.transition.to = *to;
    e.transition.reason = stmt->Text(5);
    e.transition.error_code = static_cast<int>(stmt->Int64(6));
    e.transition.http_status = static_cast<int>(stmt->Int64(7));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<AuditRow>> StateStore::AuditSince(std::int64_t since_ms, std::int64_t limit) {
  Status status = WriteAuditBuffer();
  if (!status.ok()) return status;
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare(
      "SELECT id, time_ms, op, coalesce(vault, ''), coalesce(thumbprint, ''), outcome_code, http_status, latency_ms, "
      "coalesce(request_id, ''), count FROM operations WHERE time_ms >= ? ORDER BY id LIMIT ?");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(since_ms, limit);
  std::vector<AuditRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    AuditRow a;
    a.id = stmt->Int64(0);
    a.time_ms = stmt->Int64(1);
    a.operation.op = ParseVaultCall(stmt->Text(2)).value_or(VaultCall::kWrap);
    a.operation.vault = stmt->Text(3);
    a.operation.thumbprint = stmt->Text(4);
    a.operation.outcome_code = static_cast<int>(stmt->Int64(5));
    a.operation.http_status = static_cast<int>(stmt->Int64(6));
    a.operation.latency = std::chrono::milliseconds(stmt->Int64(7));
    a.operation.request_id = stmt->Text(8);
    a.operation.count = stmt->Int64(9);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<AuditSummaryRow>> StateStore::AuditSummary(std::int64_t since_ms) {
  Status status = WriteAuditBuffer();
  if (!status.ok()) return status;
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare(
      "SELECT coalesce(vault, ''), op, outcome_code, sum(count), sum(latency_ms * count), max(latency_ms) "
      "FROM operations "
      "WHERE time_ms >= ? GROUP BY vault, op, outcome_code ORDER BY vault, op, outcome_code");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(since_ms);
  std::vector<AuditSummaryRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    AuditSummaryRow s;
    s.vault = stmt->Text(0);
    s.op = ParseVaultCall(stmt->Text(1)).value_or(VaultCall::kWrap);
    s.outcome_code = static_cast<int>(stmt->Int64(2));
    s.count = stmt->Int64(3);
    s.total_latency_ms = stmt->Int64(4);
    s.max_latency_ms = stmt->Int64(5);
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<MissingVersion>> StateStore::MissingVersions(std::string_view key_name) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_.Prepare(
      "SELECT v.name, k.thumbprint, k.key_name, k.created, k.first_seen_ms, c.status "
      "FROM vaults v CROSS JOIN key_versions k "
      "LEFT JOIN vault_key_copies c ON c.vault = v.name AND c.thumbprint = k.thumbprint "
      "WHERE (c.status IS NULL OR c.status <> 'verified') AND (?1 = '' OR k.key_name = ?1) "
      "ORDER BY v.priority, v.name, k.created IS NULL, k.created, k.first_seen_ms, k.thumbprint");
  if (!stmt.ok()) return stmt.status();
  stmt->BindAll(key_name);
  std::vector<MissingVersion> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    MissingVersion m;
    m.vault = stmt->Text(0);
    m.thumbprint = stmt->Text(1);
    m.key_name = stmt->Text(2);
    m.created = stmt->OptionalInt64(3);
    m.first_seen_ms = stmt->Int64(4);
    if (!stmt->IsNull(5)) m.copy_status = ParseCopyStatus(stmt->Text(5));
    out.push_back(std::move(m));
  }
  return out;
}

Status StateStore::CheckIntegrity() {
  std::lock_guard lock(read_mu_);
  return RunIntegrityCheck(reader_);
}

}  // namespace geoekm
