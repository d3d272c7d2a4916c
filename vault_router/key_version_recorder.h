// KeyVersionRecorder: the durable record of every key version used for a
// wrap (docs/ARCHITECTURE.md, invariant 3). The router calls RecordWrapKeyVersion after a
// vault wrapped a DEK and before it hands the wrapped bytes back; if the
// record fails, the wrap fails. The state store implements it (through an
// adapter above this layer).
//
// KnownThumbprints gives the router the history it trusts when deciding
// whether a vault holds "other key material" under a key name: a vault none
// of whose versions is in the history is quarantined. With no history yet,
// no vault is trusted over another (see VaultRouter's Wrap).
//
// VaultsWithVerifiedCopy lets a router that cannot reach a vault now (a
// provider restarted during that vault's outage) count the copy the store
// saw verified there before, instead of refusing every wrap until it is back.
//
// Thread safety: implementations must be safe for concurrent calls.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

class KeyVersionRecorder {
 public:
  virtual ~KeyVersionRecorder() = default;
  // Returns OK only once the record is durable.
  virtual Status RecordWrapKeyVersion(const std::string& vault, const KeyBundle& version) = 0;
  // Thumbprints of every version of `key_name` seen before; empty if none.
  virtual Result<std::vector<std::string>> KnownThumbprints(const std::string& /*key_name*/) {
    return std::vector<std::string>{};
  }
  // Whether KnownThumbprints(key_name) is non-empty (false when it fails).
  // Asked on every wrap; an implementation may answer without the list.
  virtual bool HasWrapHistory(const std::string& key_name) {
    Result<std::vector<std::string>> known = KnownThumbprints(key_name);
    return known.ok() && !known->empty();
  }
  // Vaults whose copy of the version `thumbprint` was verified (key id and
  // material checked) and is still recorded as verified; empty if none.
  virtual Result<std::vector<std::string>> VaultsWithVerifiedCopy(const std::string& /*thumbprint*/) {
    return std::vector<std::string>{};
  }
};

}  // namespace geoekm
