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
//   * audit rows are buffered in memory and written in one transaction when
//     audit_batch_rows are pending, when the oldest is audit_flush_interval
//     old (checked on the next call), inside RecordWrapKeyVersion's and
//     RecordHealthTransition's commits, on FlushAudit() and on destruction.
//     A crash loses at most that buffer.
//
// Opening: the file is created 0600 by us (never by SQLite under the umask),
// PRAGMA integrity_check must say "ok" before anything is written (else
// error 5007, class kIntegrity, file untouched), then WAL/FULL/foreign keys
// are set, pending schema migrations applied (state/schema_migrations.h),
// -wal/-shm tightened to 0600 and audit retention applied. The integrity
// check reads the whole file (about 2.4 s for 1M audit rows, 89 MB, on the
// CI VM; milliseconds for a typical store). Opening an up-to-date file takes
// no write lock. Replacing the file under a running process is not
// supported (its connection keeps the old inode): stop the provider first.
//
// Thread safety: one StateStore may be shared by any number of threads. All
// methods serialise on one internal mutex around one SQLite connection
// (SQLite admits one writer at a time anyway, and the reads here are small
// indexed queries); a commit holds the mutex through its fsync (a few ms),
// so callers queue behind it. In a running provider only the StateWriter
// thread (state/state_writer.h) writes, so no request waits for that. Several processes (the provider inside SQL Server and the
// geoekm CLI) may open the same file at once: WAL lets readers run during a
// write, and writers wait up to busy_timeout for each other; every write
// transaction is BEGIN IMMEDIATE so it never fails half-way on a lock upgrade.
#pragma once

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
#include "state/sqlite_connection.h"
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
  std::size_t audit_batch_rows = 64;
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

  StateStore(StateStoreOptions options, SqliteConnection connection);

  std::int64_t Now() const;
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
  Status WritePendingAuditLocked();  // inside a transaction
  Status WriteAuditBufferLocked();   // own transaction
  Status FlushAuditLocked();         // the buffer, then retention when due
  Status MaybeFlushAuditLocked(std::int64_t now_ms);
  Result<std::int64_t> ApplyAuditRetentionLocked(std::int64_t now_ms);
  // `where` is a constant SQL condition with one parameter; `order` a constant ORDER BY list.
  template <typename Value>
  Result<std::vector<VaultKeyCopyRecord>> QueryCopiesLocked(std::string_view where, const Value& value,
                                                            std::string_view order);

  const StateStoreOptions options_;
  int schema_version_ = 0;

  mutable std::mutex mu_;
  SqliteConnection connection_;
  std::unordered_set<std::string> known_vaults_;
  std::unordered_set<std::string> known_thumbprints_;
  std::unordered_map<std::string, WrapMark> wrap_marks_;
  std::vector<PendingOperation> pending_audit_;
  std::int64_t last_retention_ms_ = 0;
  std::uint64_t audit_rows_dropped_ = 0;
};

}  // namespace geoekm
