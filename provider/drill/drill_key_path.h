// DrillKeyPath: how the failover drill (failover_drill.h) reaches the key —
// in process through the router (router_key_path.h), or the way SQL Server
// does, through libgeoekm-ekm.so's SQL Crypto API (library_key_path.h).
// The drill's phases, timings and checks are the same on either path; what
// differs is who runs the vault set (this process's runtime, or the
// library's own) and so where its state store is read from.
//
// Thread safety: OpenKey, HealthOf, Finish and store() are called from the
// drill's thread. Each DrillKeyCaller is used by one thread at a time (it is
// one engine thread: the library path gives it a session of its own); any
// number of callers may run concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/keys/vault_health_state.h"
#include "state/state_store.h"
#include "state/state_writer.h"

namespace geoekm {

// The key version the drill wraps with: the key's current version when
// OpenKey ran, as the engine pins it for a database encryption key.
struct DrillKeyVersion {
  std::string thumbprint;  // RFC 7638, base64url
  int size_bits = 0;
};

// One engine thread's calls.
class DrillKeyCaller {
 public:
  virtual ~DrillKeyCaller() = default;
  // Wraps `dek` with the opened key version.
  virtual Result<Bytes> Wrap(const SecureBytes& dek) = 0;
  // Unwraps what Wrap returned (as a database start-up does).
  virtual Result<SecureBytes> Unwrap(const Bytes& wrapped) = 0;
};

class DrillKeyPath {
 public:
  virtual ~DrillKeyPath() = default;

  // What the drill goes through, for the report ("the router in this
  // process", "the SQL Crypto API of PATH").
  virtual std::string description() const = 0;
  // Opens `key_name` by name (its current version); callers made after it
  // wrap and unwrap with that version.
  virtual Result<DrillKeyVersion> OpenKey(const std::string& key_name) = 0;
  virtual Result<std::unique_ptr<DrillKeyCaller>> NewCaller() = 0;
  // The vault's health as the running vault set sees it now; nullopt when
  // not known (yet).
  virtual std::optional<VaultHealthState> HealthOf(const std::string& vault) = 0;
  // Ends the drill's calls (no caller may be alive): afterwards everything
  // the vault set recorded during the drill can be read from store().
  virtual Status Finish() = 0;
  // The state store the vault set writes, for reading.
  virtual StateStore& store() = 0;
  // The state writer's counters after Finish, when this process can see
  // them (the library's writer runs behind the ABI: nullopt).
  virtual std::optional<StateWriterStats> writer_stats() const = 0;
};

}  // namespace geoekm
