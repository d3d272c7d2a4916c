// StateStore: geoekm's local SQLite state — registered vaults and their
// health history, every key version ever seen or used for a wrap (by RFC 7638
// thumbprint, docs/ARCHITECTURE.md, invariant 1), each vault's copy of each version, and an
// audit of operations that cannot hold payloads (invariant 5).
//
// Durability (invariant 3): RecordWrapKeyVersion returns OK only after the
// key version row is in a committed transaction on a connection with
// journal_mode=WAL and synchronous=FULL, i.e. fsync'ed; the router calls it
// before it returns wrapped bytes. Two things are deliberately batched:
//   * last_wrap_ms is rewritten at most once per last_wrap_granularity per
//     (version, vault) in this process, so steady-state wraps cost no I/O;
//     after a crash last_wrap_ms may lag by up to that granularity. The row
//     itself, first_wrap_ms and the vault copy row are never batched.
//   * audit rows are buffered in memory and written when audit_batch_rows
//     are pending, when the oldest is audit_flush_interval old (checked on
//     the next call), inside any other commit (a wrap record, a health
//     change, a finding, a Batch), on FlushAudit() and on destruction.
//     A crash loses at most that buffer.
// Batch (below) writes many records in one transaction: the StateWriter
// commits each drained queue that way, one fsync for a burst of findings.
//
// Opening: the file is created 0600 by us (never by SQLite under the umask),
// PRAGMA integrity_check must say "ok" before anything is written (else
// error 5007, class kIntegrity, file untouched), then WAL/FULL/foreign keys
// are set, pending schema migrations applied (state/schema_migrations.h),
// -wal/-shm tightened to 0600, and only then a second, read-only connection
// opened on the same file (SQLITE_OPEN_READONLY: it can create nothing and
// sees only the migrated schema), and audit retention applied. The integrity
// check reads the whole file (about 2.4 s for 1M audit rows, 89 MB, on the
// CI VM; milliseconds for a typical store). Opening an up-to-date file takes
// no write lock. Replacing the file under a running process is not
// supported (its connection keeps the old inode): stop the provider first.
//
// Thread safety: one StateStore may be shared by any number of threads.
// Writes serialise on the write mutex around the read-write connection
// (SQLite admits one writer at a time anyway); a commit holds it through its
// fsync, so writers queue behind it. In a running provider only the
// StateWriter thread (state/state_writer.h) writes, so no request waits for
// that. Queries run on the read-only connection under a mutex of their own:
// WAL gives each a snapshot of the last commit, so they run beside a commit
// in progress instead of waiting for it (a query that also flushes this
// store's audit buffer — AuditSince, AuditSummary — takes the write mutex
// only when rows are buffered). Several processes (the provider inside SQL
// Server and the geoekm CLI) may open the same file at once: WAL lets
// readers run during a write, and writers wait up to busy_timeout for each
// other; every write transaction is BEGIN IMMEDIATE so it never fails
// half-way on a lock upgrade.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "state/audit_insert_sql.h"
#include "state/sqlite_connection.h"
#include "state/sqlite_statement.h"
#include "state/sqlite_transaction.h"
#include "state/state_records.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

struct StateStoreOptions {
  std::string path;  // the SQLite file; its directory must exist
  std::chrono::milliseconds busy_timeout{5000};
  // Audit retention: rows older than audit_max_age or beyond the newest
  // audit_max_rows are deleted on open and then every retention_interval.
  std::chrono::hours audit_max_age{24 * 90};
  std::int64_t audit_max_rows = 1'000'000;
  std::chrono::minutes retention_interval{60};
  // Audit buffering (see above). audit_batch_rows = 1 writes every row at once.
  // Each audit commit is an fsync (synchronous=FULL), which costs the writer
  // thread far more CPU than the rows themselves: at 64 rows a commit it
  // spent 21-30 us per unwrap, at 512 about 8 (router_overhead_bench's CPU
  // by thread). The buffer is at most about 100 KB, and audit_flush_interval
  // still bounds how old an unwritten row gets.
  std::size_t audit_batch_rows = 512;
  std::chrono::milliseconds audit_flush_interval{1000};
  std::size_t audit_max_pending = 10'000;  // beyond this (writes failing) the oldest rows are dropped
  std::chrono::seconds last_wrap_granularity{60};
  // Unix milliseconds; the system clock when empty. Tests inject a fake.
  std::function<std::int64_t()> clock{};
  // Called inside every commit of this connection, before SQLite makes it
  // durable (sqlite3_commit_hook), with the store's mutex held. A seam for
  // tests and benchmarks to model a slow disk (e.g. sleep 50 ms); empty in
  // production. It must not call back into the store.
  std::function<void()> on_commit{};
};

class StateStore {
 public:
  static Result<std::unique_ptr<StateStore>> Open(StateStoreOptions options);
  ~StateStore();  // flushes the audit buffer (errors are dropped: nothing to report to)

  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // --- vaults and health -------------------------------------------------
  // Inserts or updates the registered vaults (name, url, region, geography,
  // priority). Vaults absent from the list are kept: their history matters.
  Status UpsertVaults(const std::vector<VaultRecord>& vaults);
  // Sets the vault's current health and appends the event, atomically.
  Status RecordHealthTransition(const VaultHealthEvent& transition);

  // --- key versions (invariant 3) ----------------------------------------
  // Durably records that `version` (as read from `vault`) is used for a
  // wrap: the key_versions row (first_seen/first_wrap/last_wrap) and, if
  // absent, the vault's copy row (status unverified unless already known).
  // The thumbprint is recomputed from kty/n/e; a bundle whose thumbprint
  // field disagrees is refused (error 5005), and so is a version whose copy
  // in `vault` is recorded as mismatch or quarantined (error 5005, nothing
  // written). Returns OK only once committed.
  Status RecordWrapKeyVersion(std::string_view vault, const KeyBundle& version);
  // The vault's copy was read and its thumbprint recomputed: records the key
  // version (if new) and the copy as verified now, with its attributes.
  Status RecordCopyVerified(std::string_view vault, const KeyBundle& version);
  // Records a non-verified outcome for a known version in a vault: kMissing,
  // kMismatch (with the thumbprint the vault holds instead), kQuarantined or
  // kUnverified. `detail` is operator-facing and secret-free (cut to 512 bytes).
  Status RecordCopyStatus(std::string_view vault, std::string_view thumbprint, CopyStatus status,
                          std::string_view detail, std::string_view observed_thumbprint = {});

  // --- audit (invariant 5) -----------------------------------------------
  // Buffers one audit row (see OperationRecord for what is validated).
  // Rejected records change nothing.
  Status RecordOperation(const OperationRecord& operation);
  Status FlushAudit();
  // Deletes audit rows beyond the configured age/row limits; returns how many.
  Result<std::int64_t> ApplyAuditRetention();
  // Rows dropped because the buffer overflowed while writes were failing.
  std::uint64_t audit_rows_dropped() const;

  // --- queries -------------------------------------------------------------
  Result<std::vector<VaultRecord>> Vaults();
  Result<std::optional<KeyVersionRecord>> FindKeyVersion(std::string_view thumbprint);
  // The thumbprint of the copy whose kid (https://vault/keys/name/version) this is.
  Result<std::optional<std::string>> ThumbprintForKid(std::string_view kid);
  // Every version of `key_name`, oldest first (by vault creation time, then first seen).
  Result<std::vector<KeyVersionRecord>> KeyHistory(std::string_view key_name);
  Result<std::vector<VaultKeyCopyRecord>> CopiesInVault(std::string_view vault);
  Result<std::vector<VaultKeyCopyRecord>> CopiesOfVersion(std::string_view thumbprint);
  // Enabled copies whose exp (unix seconds) is before `before_unix_s`, soonest
  // first — for warning about key expiry before it happens.
  Result<std::vector<VaultKeyCopyRecord>> CopiesExpiringBefore(std::int64_t before_unix_s);
  // Every key name with recorded versions, sorted.
  Result<std::vector<std::string>> KeyNames();
  Result<std::vector<HealthEventRecord>> HealthEventsSince(std::int64_t since_ms);
  // Audit rows at or after since_ms, oldest first, at most `limit`.
  Result<std::vector<AuditRow>> AuditSince(std::int64_t since_ms, std::int64_t limit = 1000);
  // Audit grouped by vault, op and outcome since since_ms.
  Result<std::vector<AuditSummaryRow>> AuditSummary(std::int64_t since_ms);
  // Every (vault, version) pair where the vault's copy is not verified,
  // ordered by vault priority then version age. key_name "" = all keys.
  Result<std::vector<MissingVersion>> MissingVersions(std::string_view key_name = {});

  // --- rebuild (invariant 3: "if the store is lost it can be rebuilt") ----
  // Rebuilds key_versions and vault_key_copies from what each vault listed,
  // in one transaction, merging into whatever the store already holds
  // (history is never rewritten: existing wrap times stay). New versions get
  // first/last wrap NULL (unknown). Copies of versions a listed vault lacks
  // are marked missing; unread vaults keep their copies' status. The report
  // says what could not be known. Implemented in state/state_rebuild.cc.
  Result<RebuildReport> Rebuild(const std::vector<VaultKeyListing>& listings);

  // --- batches -----------------------------------------------------------
  class Batch;
  // Takes the write mutex and returns a batch that holds it until it is
  // committed or destroyed (see Batch).
  Batch BeginBatch();

  // Runs PRAGMA integrity_check now (the open does it too).
  Status CheckIntegrity();
  int schema_version() const { return schema_version_; }
  const std::string& path() const { return options_.path; }
  const StateStoreOptions& options() const { return options_; }

 private:
  struct PendingOperation {
    std::int64_t time_ms;
    OperationRecord operation;
  };
  // Per thumbprint: when this process last wrote last_wrap_ms, and the vaults
  // whose copy row it has ensured.
  struct WrapMark {
    std::int64_t last_wrap_written_ms = 0;
    std::vector<std::string> vaults_with_copy;
  };

  StateStore(StateStoreOptions options, SqliteConnection connection, SqliteConnection reader);

  std::int64_t Now() const;
  // Runs `update` (of the caches below) once the write it describes is
  // committed: at the open batch's commit, never if it rolls back.
  void AfterCommitLocked(std::function<void()> update);
  // One record in a batch of its own (the single-record write methods).
  template <typename Record>
  Status WriteOne(Record&& record);
  // The *Locked helpers expect mu_ held and, for writes, an open transaction.
  Result<std::string> ValidateVersionLocked(const KeyBundle& version) const;
  Result<bool> VaultExistsLocked(std::string_view vault);
  Result<bool> KeyVersionExistsLocked(std::string_view thumbprint);
  Status RequireVaultLocked(std::string_view vault);
  // Inserts the version row if absent; returns true if it was inserted.
  Result<bool> InsertKeyVersionLocked(const KeyBundle& version, const std::string& thumbprint,
                                      std::int64_t now_ms, bool as_wrap);
  Status UpsertCopyLocked(std::string_view vault, const std::string& thumbprint, const KeyBundle* version,
                          CopyStatus status, std::optional<std::int64_t> verified_ms, std::string_view detail,
                          std::string_view observed_thumbprint, std::int64_t now_ms);
  Status UpsertVaultLocked(const VaultRecord& vault, std::int64_t now_ms);
  // The writes of one record; inside a transaction (a Batch's savepoint).
  Status HealthTransitionLocked(const VaultHealthEvent& transition, std::int64_t now_ms);
  Status WrapKeyVersionLocked(std::string_view vault, const KeyBundle& version, const std::string& thumbprint,
                              std::int64_t now_ms);
  Status CopyVerifiedLocked(std::string_view vault, const KeyBundle& version, const std::string& thumbprint,
                            std::int64_t now_ms);
  Status CopyStatusLocked(std::string_view vault, std::string_view thumbprint, CopyStatus status,
                          std::string_view detail, std::string_view observed_thumbprint, std::int64_t now_ms);
  Status BufferOperationLocked(OperationRecord&& operation);  // moved from only if accepted
  bool AuditDueLocked(std::int64_t now_ms) const;
  Status WritePendingAuditLocked();  // inside a transaction
  // Whether audit retention has rows to delete (a read: no write lock).
  Result<bool> AuditRetentionNeededLocked(std::int64_t now_ms);
  Result<std::int64_t> DeleteExpiredAuditLocked(std::int64_t now_ms);  // inside a transaction
  // Writes this store's buffered audit rows (if any) so that a query sees them.
  Status WriteAuditBuffer();
  // `where` is a constant SQL condition with one parameter; `order` a constant
  // ORDER BY list. On the read connection (read_mu_ held).
  template <typename Value>
  Result<std::vector<VaultKeyCopyRecord>> QueryCopiesLocked(std::string_view where, const Value& value,
                                                            std::string_view order);

  const StateStoreOptions options_;
  int schema_version_ = 0;

  mutable std::mutex mu_;  // the write mutex: connection_ and everything below up to reader_
  SqliteConnection connection_;
  // Looked up by string_view without building a string (transparent hash).
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using NameSet = std::unordered_set<std::string, NameHash, std::equal_to<>>;
  NameSet known_vaults_;
  NameSet known_thumbprints_;  // committed versions only
  std::unordered_map<std::string, WrapMark> wrap_marks_;
  std::vector<PendingOperation> pending_audit_;
  // The audit INSERT for each number of rows (index = rows, up to
  // kAuditRowsPerInsert), prepared on first use and kept: parsing the full
  // one's 288 placeholders on every flush was a fifth of the state writer's
  // CPU. Declared after connection_, so finalized before it closes.
  std::array<std::optional<SqliteStatement>, kAuditRowsPerInsert + 1> audit_inserts_;
  std::int64_t last_retention_ms_ = 0;
  std::uint64_t audit_rows_dropped_ = 0;
  Batch* open_batch_ = nullptr;
  // Mirrors !pending_audit_.empty() for queries, which skip the write mutex when false.
  std::atomic<bool> audit_buffered_{false};

  mutable std::mutex read_mu_;
  SqliteConnection reader_;  // read-only; declared after connection_, so closed before it
};

// StateStore::Batch: many records in ONE write transaction — the
// StateWriter's drained queue: health changes, findings, wrap records and
// audit rows cost one commit (one fsync) together instead of one each.
//
// It holds the store's write mutex from BeginBatch until Commit or
// destruction. The transaction (BEGIN IMMEDIATE) begins with the first
// record that writes; each record runs in a savepoint of its own, so a
// record the store refuses (an unknown vault, a wrap of a mismatched copy)
// changes nothing and is returned its error while the others stay. A record
// sees the records before it in the batch (a wrap after a mismatch finding
// is refused). If the transaction itself fails — the write lock not had
// within busy_timeout, an I/O error, a failing COMMIT — broken() turns true,
// every later record is refused with that status and Commit returns it:
// nothing of the batch is written (audit rows stay buffered). What the
// store caches about committed rows (known versions, wrap marks) is updated
// only once the batch commits.
//
// Thread safety: one thread. That thread must not call the store's write
// methods while it holds a batch (they wait for the mutex the batch holds);
// queries are fine (they use the read connection and see only commits).
class StateStore::Batch {
 public:
  ~Batch();  // rolls back what was not committed; releases the mutex
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // As StateStore's methods of the same names, inside this batch.
  Status RecordHealthTransition(const VaultHealthEvent& transition);
  Status RecordWrapKeyVersion(std::string_view vault, const KeyBundle& version);
  Status RecordCopyVerified(std::string_view vault, const KeyBundle& version);
  Status RecordCopyStatus(std::string_view vault, std::string_view thumbprint, CopyStatus status,
                          std::string_view detail, std::string_view observed_thumbprint = {});
  // Buffers the row (validated as StateStore::RecordOperation does); Commit
  // writes the buffer with the batch's transaction, or alone when it is due.
  // The rvalue form takes the row over only if it is accepted: a refused
  // row is left as it was.
  Status RecordOperation(const OperationRecord& operation);
  Status RecordOperation(OperationRecord&& operation);
  // Whether the store holds `thumbprint`, counting this batch's own records.
  Result<bool> KnowsKeyVersion(std::string_view thumbprint);

  // Commit writes the audit buffer even if it is not due (FlushAudit).
  void WriteAuditNow() { write_audit_now_ = true; }
  // Commit applies audit retention even if its interval has not passed.
  void ApplyRetentionNow() { retention_now_ = true; }

  // Writes the audit buffer (with any record, or alone when due), applies
  // audit retention when due, commits, and ends the batch (the mutex is
  // released). A batch that wrote nothing commits nothing. Returns the
  // transaction's status: OK means every record that returned OK is durable.
  Status Commit();
  // After Commit: a failure of the audit rows' write or of retention in a
  // transaction that otherwise committed (those rows stay buffered).
  const Status& audit_status() const { return audit_status_; }
  // After Commit: audit rows retention deleted.
  std::int64_t audit_rows_deleted() const { return audit_rows_deleted_; }
  bool broken() const { return !broken_.ok(); }

 private:
  friend class StateStore;
  explicit Batch(StateStore& store);

  // Runs `write` in a savepoint of the batch's transaction (begun if needed).
  Status Write(const std::function<Status()>& write);
  Status Break(Status status);  // the transaction is lost
  void End();

  StateStore* const store_;
  std::unique_lock<std::mutex> lock_;
  std::optional<SqliteTransaction> tx_;
  Status broken_ = Status::Ok();
  Status audit_status_ = Status::Ok();
  std::int64_t audit_rows_deleted_ = 0;
  bool write_audit_now_ = false;
  bool retention_now_ = false;
  std::vector<std::function<void()>> after_commit_;
};

}  // namespace geoekm
