// Value types of the Key Vault keys data plane as geoekm uses them.
// Field meanings follow docs/ARCHITECTURE.md §Key JSON.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/secure_bytes.h"

namespace geoekm {

enum class WrapAlgorithm { kRsaOaep256, kRsaOaep, kRsa15 };

// "RSA-OAEP-256", "RSA-OAEP", "RSA1_5"
inline const char* WrapAlgorithmName(WrapAlgorithm alg) {
  switch (alg) {
    case WrapAlgorithm::kRsaOaep256: return "RSA-OAEP-256";
    case WrapAlgorithm::kRsaOaep: return "RSA-OAEP";
    case WrapAlgorithm::kRsa15: return "RSA1_5";
  }
  return "?";
}

struct KeyAttributes {
  std::optional<bool> enabled;
  std::optional<std::int64_t> nbf;      // unix seconds
  std::optional<std::int64_t> exp;      // unix seconds
  std::optional<std::int64_t> created;  // read-only
  std::optional<std::int64_t> updated;  // read-only
  std::string recovery_level;           // read-only
};

// A key version as read from one vault (public parts only).
struct KeyBundle {
  std::string kid;         // https://{vault}/keys/{name}/{version}
  std::string name;        // parsed from kid
  std::string version;     // parsed from kid (32 hex)
  std::string kty;         // "RSA" or "RSA-HSM"
  std::string n;           // base64url
  std::string e;           // base64url
  int key_size_bits = 0;   // from n
  std::vector<std::string> key_ops;
  KeyAttributes attributes;
  std::map<std::string, std::string> tags;
  std::string thumbprint;  // RFC 7638, RSA-HSM normalised (core/jwk_thumbprint.h)
};

// A soft-deleted key (GET /deletedkeys/{name}): Key Vault deletes a key
// name with all its versions; the bundle is its latest version.
struct DeletedKeyBundle {
  KeyBundle key;
  std::string recovery_id;                      // https://{vault}/deletedkeys/{name}
  std::optional<std::int64_t> deleted_date;     // unix seconds
  std::optional<std::int64_t> scheduled_purge_date;  // unix seconds; gone for good after this
};

// One entry of "list key versions".
struct KeyVersionItem {
  std::string kid;
  std::string version;
  KeyAttributes attributes;
  std::map<std::string, std::string> tags;
};

// Parameters for create (new key or new version of an existing name).
struct KeyCreateOptions {
  std::string kty = "RSA";  // or "RSA-HSM"
  int key_size = 2048;
  std::vector<std::string> key_ops = {"wrapKey", "unwrapKey"};
  KeyAttributes attributes;
  std::map<std::string, std::string> tags;
};

// Private RSA JWK for BYOK import (from an escrow file). Wiped on destruction.
struct PrivateRsaJwk {
  std::string kty = "RSA";
  SecureString n, e, d, p, q, dp, dq, qi;  // base64url
};

struct KeyUpdateOptions {
  std::optional<std::vector<std::string>> key_ops;
  KeyAttributes attributes;  // only the set fields are sent
  std::optional<std::map<std::string, std::string>> tags;
};

}  // namespace geoekm
