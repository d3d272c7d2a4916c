// The data model of a simulated vault: named keys, each a list of versions,
// active or soft-deleted. Plain values; KeyStore owns and locks them.
//
// Thread safety: plain values (RsaKey inside is immutable and shareable).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vaultsim/rsa_key.h"

namespace geoekm::vaultsim {

struct KeyAttributes {
  bool enabled = true;
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> exp;
  std::int64_t created = 0;
  std::int64_t updated = 0;
};

struct KeyVersion {
  std::string version;  // 32 lowercase hex
  std::string kty;      // "RSA" or "RSA-HSM"
  std::vector<std::string> key_ops;
  KeyAttributes attributes;
  std::map<std::string, std::string> tags;
  std::shared_ptr<const RsaKey> key;

  bool is_hsm() const { return kty == "RSA-HSM"; }
};

struct KeyEntry {
  std::string name;                   // as first created (lookups are case-insensitive)
  std::vector<KeyVersion> versions;   // creation order; back() is the latest
  std::int64_t deleted_date = 0;      // soft-deleted entries only
  std::int64_t scheduled_purge_date = 0;

  const KeyVersion& latest() const { return versions.back(); }
  // Case-insensitive version lookup; nullptr when absent.
  const KeyVersion* FindVersion(const std::string& version) const;
  KeyVersion* FindVersion(const std::string& version);
};

// Keys by lower-cased name.
struct VaultState {
  std::map<std::string, KeyEntry> keys;
  std::map<std::string, KeyEntry> deleted;
};

std::string LowerName(const std::string& name);

}  // namespace geoekm::vaultsim
