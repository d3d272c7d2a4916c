// Plain value types the state store takes and returns: vaults and their
// health, key versions and their copies in each vault, health events, the
// operations audit, and the rebuild input/outcome.
//
// Times: *_ms fields are unix milliseconds stamped by the store's clock;
// created/nbf/exp are the vault's attributes in unix seconds. An empty
// std::optional means "unknown" (e.g. wrap times after a rebuild).
//
// Thread safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "keyvault/keys/key_types.h"
#include "keyvault/keys/vault_call.h"
#include "keyvault/keys/vault_health_state.h"

namespace geoekm {

// Health states and events are the router's own vocabulary
// (keyvault/keys/vault_health_state.h), stored as VaultHealthStateName's
// words; audit operations are VaultCall (keyvault/keys/vault_call.h), stored
// as VaultCallName's words.

// Registered vault (from the vault-set config).
struct VaultRecord {
  std::string name;
  std::string url;
  std::string region;
  std::string geography;
  int priority = 0;
  // Read-only in queries; ignored by UpsertVaults (health moves only through
  // RecordHealthTransition so that every change has an event). nullopt: no
  // health recorded yet (or a word this version does not know).
  std::optional<VaultHealthState> health;
  std::optional<std::int64_t> health_since_ms;
};

struct HealthEventRecord {
  std::int64_t id = 0;
  std::int64_t time_ms = 0;
  VaultHealthEvent transition;
};

// A key version, identified by its RFC 7638 thumbprint (docs/ARCHITECTURE.md, invariant 1).
struct KeyVersionRecord {
  std::string thumbprint;
  std::string key_name;
  std::string kty;
  int size_bits = 0;
  std::string n;  // base64url public modulus
  std::string e;  // base64url public exponent
  std::optional<std::int64_t> created;  // unix seconds, vault attribute
  std::int64_t first_seen_ms = 0;
  std::optional<std::int64_t> first_wrap_ms;
  std::optional<std::int64_t> last_wrap_ms;
};

// What geoekm knows about one vault's copy of one key version.
enum class CopyStatus {
  kUnverified,   // recorded (e.g. used for a wrap) but material not compared
  kVerified,     // the vault's material has this thumbprint (last_verified_ms)
  kMissing,      // the vault has no version with this thumbprint
  kMismatch,     // the vault holds other material where this version should be
  kQuarantined,  // the router quarantined this copy (invariant 2)
};

std::string_view CopyStatusName(CopyStatus status);
std::optional<CopyStatus> ParseCopyStatus(std::string_view name);

struct VaultKeyCopyRecord {
  std::string vault;
  std::string thumbprint;
  std::string kid;
  std::string version_id;
  std::optional<bool> enabled;
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> exp;
  std::vector<std::string> key_ops;
  std::optional<std::int64_t> last_verified_ms;
  CopyStatus status = CopyStatus::kUnverified;
  std::string observed_thumbprint;  // for kMismatch
  std::string detail;               // operator-facing, secret-free
  std::int64_t updated_ms = 0;
};

// One audited operation. The fields are exactly what the audit may hold:
// there is no field for payloads, DEKs, wrapped bytes, tokens or messages.
// RecordOperation validates each string (vault registered, thumbprint a
// known key version, request id a GUID) and rejects the record otherwise.
struct OperationRecord {
  VaultCall op = VaultCall::kWrap;
  std::string vault;       // "" = not tied to one vault
  std::string thumbprint;  // "" = no key version involved or not known yet
  int outcome_code = 0;    // connector/geoekm code, 0 = success
  int http_status = 0;     // 0 = no HTTP response
  std::chrono::milliseconds latency{0};
  std::string request_id;  // x-ms-request-id GUID, "" if none
  // When the call started (ms since the epoch); 0 = when the store is handed
  // the record. Writes are queued behind a writer thread, so the time of the
  // write says nothing about when the call was made.
  std::int64_t started_ms = 0;
  // How many calls the row stands for: 1 for one call; N for a summary of N
  // calls of the same op, vault, key version, outcome and HTTP status that
  // were coalesced under overload (StateWriter), with the earliest start in
  // started_ms and their mean latency in `latency`.
  std::int64_t count = 1;
};

struct AuditRow {
  std::int64_t id = 0;
  std::int64_t time_ms = 0;
  OperationRecord operation;
};

// One group of the audit summary.
struct AuditSummaryRow {
  std::string vault;
  VaultCall op = VaultCall::kWrap;
  int outcome_code = 0;
  std::int64_t count = 0;             // calls, summary rows counted with their count
  std::int64_t total_latency_ms = 0;  // a summary row adds its mean latency times its count
  std::int64_t max_latency_ms = 0;    // largest row latency (a summary row's is its mean)
};

// A key version a vault does not (provably) hold.
struct MissingVersion {
  std::string vault;
  std::string thumbprint;
  std::string key_name;
  std::optional<std::int64_t> created;  // unix seconds
  std::int64_t first_seen_ms = 0;
  // The copy's status, or nullopt when the vault has never been checked for it.
  std::optional<CopyStatus> copy_status;
};

// Rebuild input: what one vault listed (every version of every key name).
struct VaultKeyListing {
  VaultRecord vault;
  bool listed = false;  // false = the vault could not be read; its copies stay as they were
  std::vector<KeyBundle> versions;
  Status read_error;  // when !listed: why the vault could not be read
};

struct UnreadVault {
  std::string vault;
  Status reason;
};

struct RejectedBundle {
  std::string vault;
  std::string kid;
  std::string reason;
};

// What a rebuild recorded and, as important, what it could not know.
struct RebuildReport {
  int versions_added = 0;        // new key_versions rows
  int versions_already_known = 0;
  int copies_verified = 0;       // copies recorded as verified from the listings
  int copies_marked_missing = 0;  // known versions a listed vault lacks
  std::vector<UnreadVault> vaults_not_read;
  std::vector<RejectedBundle> rejected;  // unusable bundles (bad key material, thumbprint mismatch)
  // Versions whose wrap history (first/last wrap) is unknown: the vaults do
  // not record which versions wrapped DEKs, so these may or may not protect data.
  std::vector<std::string> versions_without_wrap_history;
  // Human-readable sentences, one per thing that could not be known.
  std::vector<std::string> unknowns;
};

}  // namespace geoekm
