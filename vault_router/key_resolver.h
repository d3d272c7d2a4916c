// KeyResolver: which version of a key is which material in which vault, and
// whether a vault's material may be trusted. It reads keys (GetKey with the
// kid checked against the vault, the thumbprint recomputed) and version
// lists into the KeyCatalog (key_catalog.h), finds the version holding a
// thumbprint in a vault (listing it again when a version has just become
// current), keeps the key's current version (the pinned thumbprint, else
// the most preferred answering vault's newest, cached for
// current_version_ttl), checks that a version may be wrapped with (held by
// every vault not quarantined, and trusted: error 5008 otherwise), and
// quarantines a vault whose material differs — one that changed the
// material of a version id, or whose versions share no thumbprint with the
// trusted material (the recorded history, KeyVersionRecorder::
// KnownThumbprints, and the pinned thumbprint once some vault shows it).
// See vault_router.h for the rules this serves.
//
// Reading a key from every vault "like an unwrap" (hedged) is a race, which
// the router runs: the resolver is given that race as a function
// (GetKeyRace) instead of depending on the router above it; the race calls
// FetchKey back on worker threads.
//
// Thread safety: all methods may be called concurrently by any number of
// threads (FetchKey and LocateIn on the router's workers too); the catalog
// and the current-version cache are internally synchronised, and no lock is
// held during a vault call or the race. The VaultSet and the race function
// must outlive the resolver and every call still running in it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "keyvault/keys/key_types.h"
#include "vault_router/key_catalog.h"
#include "vault_router/vault_set.h"

namespace geoekm {

struct KeyVersionLocation {
  std::string vault;
  std::string kid;
  std::string version;
};

struct LocatedKeyVersion {
  std::string key_name;
  std::string thumbprint;
  std::vector<KeyVersionLocation> held_by;
  std::vector<std::string> missing_in;      // vaults that answered without it
  std::vector<std::string> unknown_in;      // vaults that could not be asked
  std::vector<std::string> quarantined;     // vaults holding other material
};

class KeyResolver {
 public:
  // GetKey of `name` (`version`, "" = current) raced over `candidates`
  // (vault indices, ranked) like an unwrap, each attempt a FetchKey: the
  // first vault that answers, with its bundle. Vault-level failures are
  // appended to `tried` ("vault: failure; ...").
  using GetKeyRace = std::function<Result<std::pair<std::size_t, KeyBundle>>(
      const std::string& name, const std::string& version, std::vector<std::size_t> candidates, Deadline deadline,
      std::string* tried)>;

  KeyResolver(VaultSet& vaults, GetKeyRace race);
  KeyResolver(const KeyResolver&) = delete;
  KeyResolver& operator=(const KeyResolver&) = delete;

  // GetKey of `name` (`version`, "" = current) at vault v, as one vault call
  // of at most try_timeout: kid checked, thumbprint recomputed, recorded in
  // the catalog as verified now; a changed version quarantines v (5005).
  Result<KeyBundle> FetchKey(std::size_t v, const std::string& name, const std::string& version, Deadline deadline);
  // The probe's key read (not a counted vault call: the probe accounts for
  // itself): kid checked, thumbprint recomputed and recorded; a changed
  // version quarantines v.
  Result<KeyBundle> ProbeKey(std::size_t v, const std::string& name, Deadline deadline);
  // v's version of `name` with `thumbprint`, listing v when it is not known
  // (at most once per relist_interval; sooner when `stale_before` is later
  // than the last listing). NotFound when v does not hold it; 5005 when v is
  // quarantined.
  Result<SharedKeyBundle> LocateIn(std::size_t v, const std::string& name, const std::string& thumbprint,
                                   Deadline deadline, std::optional<Clock::time_point> stale_before = std::nullopt);
  // Which vault holds `thumbprint` under which version id (every vault asked).
  Result<LocatedKeyVersion> Locate(const std::string& key_name, const std::string& thumbprint, Deadline deadline);
  // The version of `key_name` that wraps use, with its thumbprint: shared
  // (a wrap reads it on every call), or a copy.
  Result<SharedKeyBundle> SharedCurrentVersion(const std::string& key_name, Deadline deadline);
  Result<KeyBundle> CurrentVersion(const std::string& key_name, Deadline deadline);
  // The thumbprint of one vault's version id (from the catalog, else raced).
  Result<std::string> ThumbprintOfVersion(const std::string& name, const std::string& version, Deadline deadline);
  // OK when `thumbprint` may be wrapped with: held by every vault not
  // quarantined, and trusted (see vault_router.h, Wrap); else error 5008
  // naming each vault. `current`: the key's current version (else one the
  // caller named by thumbprint), for the message.
  Status CheckWrapVersion(const std::string& key_name, const std::string& thumbprint, bool current,
                          Deadline deadline);
  // When the current version cannot be wrapped with yet (a rotation on its
  // way: not in every vault, or in a vault that cannot be checked now), the
  // newest version of the recorded history that can; none with a pin or
  // without history.
  std::optional<std::string> NewestWrappableHistory(const std::string& key_name, const std::string& refused,
                                                    Deadline deadline);

  // What was learnt (read-only: only the resolver records).
  const KeyCatalog& catalog() const { return catalog_; }

 private:
  // What decides which material is the key: the recorded history and the
  // pinned thumbprint (empty `thumbprints` = nothing yet).
  struct Trust {
    std::set<std::string> thumbprints;
    std::string pin;       // "" = none
    bool history = false;
    std::string source;    // for messages
  };
  struct CurrentEntry {
    SharedKeyBundle bundle;  // never null
    Clock::time_point fetched_at;
    std::size_t vault = 0;  // where it was read
    // When this thumbprint became the current version here (kept while a
    // refresh finds the same one): a vault listed before then may not have
    // had the copy yet, so it is listed again (LocateIn's `stale_before`).
    Clock::time_point current_since;
  };

  // OK when the bundle's kid names vault v (its host and port), key `name`
  // and, when one was asked for, `version`; else the answer is unusable.
  Status CheckKid(std::size_t v, const std::string& name, const std::string& version, const KeyBundle& bundle) const;
  // GetKey at vault v with the kid checked (the vault call's outcome and
  // health include the check).
  Result<KeyBundle> GetCheckedKey(std::size_t v, const std::string& name, const std::string& version,
                                  Deadline deadline);
  Status LoadListing(std::size_t v, const std::string& name, Deadline deadline);
  std::optional<std::string> PinFor(const std::string& name) const;
  Trust TrustFor(const std::string& name) const;
  // !TrustFor(name).thumbprints.empty(), without building the set.
  bool Anchored(const std::string& name) const;
  // Quarantines vault v when its versions of `name` share no thumbprint
  // with the trusted material.
  void CheckMaterial(std::size_t v, const std::string& name);
  void JudgeMaterial(std::size_t v, const std::string& name, const Trust& trust);
  // The short thumbprint of v's newest known version of `name`, for messages.
  std::string CurrentThumbprintIn(std::size_t v, const std::string& name) const;
  // current_since of `thumbprint` when it is the cached current version of `name`.
  std::optional<Clock::time_point> CurrentSince(const std::string& name, const std::string& thumbprint) const;
  // The pinned version as the first ranked vault holding it has it.
  Result<SharedKeyBundle> PinnedVersion(const std::string& key_name, const std::string& pin, Deadline deadline);

  // Versions CheckWrapVersion passed, with the vault set's quarantine count
  // then. The catalog only grows and history only grows, so a version every
  // vault held still passes until a vault is quarantined: every wrap of it
  // need not look it up in each vault again.
  struct PassedWrapCheck {
    std::string key_name;
    std::string thumbprint;
    std::uint64_t quarantines = 0;
  };
  static constexpr std::size_t kPassedWrapChecks = 8;
  bool PassedBefore(const std::string& key_name, const std::string& thumbprint) const;
  void RememberPassed(const std::string& key_name, const std::string& thumbprint, std::uint64_t quarantines);

  VaultSet& vaults_;
  const GetKeyRace race_;
  KeyCatalog catalog_;
  mutable std::mutex current_mu_;
  std::map<std::string, CurrentEntry> current_;
  mutable std::mutex passed_mu_;
  std::vector<PassedWrapCheck> passed_;  // at most kPassedWrapChecks, the oldest replaced first
  std::size_t passed_next_ = 0;
};

}  // namespace geoekm
