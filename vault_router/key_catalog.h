// KeyCatalog: what the router has learnt about each vault's versions of each
// key name — the bundle (public material, recomputed thumbprint) per version
// id, the reverse map thumbprint → version id (ids differ between vaults
// after a BYOK import; the thumbprint is the identity, invariant 1), when a
// copy was last verified, and when the vault's version list was last read.
//
// A version id's material never changes in Key Vault, so bundles are kept
// for the router's lifetime, immutable, and handed out shared (every wrap
// and unwrap looks one up, and needs no copy of its own).
// RecordBundle reports a version whose material did change (a rogue or
// replaced vault). The catalog makes no vault calls:
// the router fetches and records. Per (vault, key name) it also admits one
// listing at a time (single flight; a plain mutex + condition variable, as
// timed mutexes are not understood by ThreadSanitizer).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

using SharedKeyBundle = std::shared_ptr<const KeyBundle>;

class KeyCatalog {
 public:
  // Records `bundle` (thumbprint already recomputed) as read from vault `v`
  // at `now`. Returns the previously recorded thumbprint of the same version
  // id when it differs (nothing is changed then).
  std::optional<std::string> RecordBundle(std::size_t v, const KeyBundle& bundle, Clock::time_point now);
  void MarkListed(std::size_t v, const std::string& name, Clock::time_point now);

  // Null when the catalog has no such version.
  SharedKeyBundle ByThumbprint(std::size_t v, const std::string& name, const std::string& thumbprint) const;
  SharedKeyBundle ByVersion(std::size_t v, const std::string& name, const std::string& version) const;
  std::optional<Clock::time_point> VerifiedAt(std::size_t v, const std::string& name,
                                              const std::string& thumbprint) const;
  std::optional<Clock::time_point> ListedAt(std::size_t v, const std::string& name) const;
  // ByThumbprint and ListedAt read together, as one moment of the catalog.
  struct Lookup {
    SharedKeyBundle bundle;
    std::optional<Clock::time_point> listed_at;
  };
  Lookup Find(std::size_t v, const std::string& name, const std::string& thumbprint) const;
  std::vector<std::string> Thumbprints(std::size_t v, const std::string& name) const;
  // The version with the latest creation time (the vault's current one once listed).
  SharedKeyBundle Newest(std::size_t v, const std::string& name) const;

  // Single flight for listing vault `v`'s versions of `name`: true when the
  // caller may list now (and must call EndListing), false at the deadline.
  bool BeginListing(std::size_t v, const std::string& name, Deadline deadline);
  void EndListing(std::size_t v, const std::string& name);

 private:
  struct View {
    std::map<std::string, SharedKeyBundle> by_version;
    std::map<std::string, std::string> version_of;  // thumbprint -> version id
    std::map<std::string, Clock::time_point> verified_at;  // thumbprint -> time
    std::optional<Clock::time_point> listed_at;
    bool listing = false;
  };
  using Key = std::pair<std::size_t, std::string>;

  const View* ViewOf(std::size_t v, const std::string& name) const;

  mutable std::mutex mu_;
  std::condition_variable listing_done_;
  std::map<Key, View> views_;
};

}  // namespace geoekm
