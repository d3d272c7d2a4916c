// Parsing of Key Vault key JSON (docs/ARCHITECTURE.md §Key JSON): a
// KeyBundle with its RFC 7638 thumbprint and key size, one page of "list
// key versions", and the JSON bodies geoekm sends (import, create, update).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "keyvault/keys/key_types.h"

namespace geoekm {

// The answers are untrusted: nothing here throws, and every field is read
// with its type checked (core/json_fields.h).
//
// Fails with class kInvalidInput when the body is not a usable bundle (not
// JSON, a field of the wrong type, no kid of the form
// https://{vault}/keys/{name}/{version}, no kty/n/e, n or e not base64url);
// the caller maps that to the operation's parser code. Fails with
// codes::kNotSupported, class kIntegrity, when the key is well-formed but not
// RSA (an EC or oct key): permanent, so callers pass it through.
Result<KeyBundle> ParseKeyBundle(std::string_view json);

// A DeletedKeyBundle: a key bundle plus recoveryId, deletedDate and
// scheduledPurgeDate (docs/ARCHITECTURE.md §Soft delete); the same rules
// as ParseKeyBundle for the key part.
Result<DeletedKeyBundle> ParseDeletedKeyBundle(std::string_view json);

struct KeyVersionPage {
  std::vector<KeyVersionItem> items;
  std::string next_link;  // absolute URL, "" when this is the last page
};
Result<KeyVersionPage> ParseKeyVersionPage(std::string_view json);

// {"value": "..."} of wrap/unwrap/backup results.
Result<std::string> ParseValueField(std::string_view json);

std::string KeyAttributesJson(const KeyAttributes& attributes);  // only the settable fields that are set
std::string ImportKeyJson(const PrivateRsaJwk& jwk, bool hsm, const KeyAttributes& attributes);
std::string CreateKeyJson(const KeyCreateOptions& options);
std::string UpdateKeyJson(const KeyUpdateOptions& options);

}  // namespace geoekm
