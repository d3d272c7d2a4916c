// Placing a key version into one vault and proving it arrived: the three
// vault-changing moves sync and rotate are made of. Each verifies the copy
// afterwards by reading it back and recomputing its RFC 7638 thumbprint
// (docs/ARCHITECTURE.md, invariant 1) and records the verified copy in the
// state store (StateStore::RecordCopyVerified), so the history knows which
// vault holds which version under which id.
//
// Only additive operations are used (KeyVaultKeyAdministration has no
// delete or purge: invariant 4). Private material lives in wiped buffers
// for the duration of one import; backup blobs are wiped after the restore.
//
// Thread safety: functions; the runtime's parts they use are thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "keyvault/keys/key_types.h"
#include "replication/local_rsa_key.h"

namespace geoekm {

class VaultSetRuntime;

// Reads `version` of `key_name` in `vault`; OK with the bundle when its
// thumbprint is `expected_thumbprint` (then recorded as verified), else
// error 5005 naming both thumbprints (recorded as a mismatch).
Result<KeyBundle> VerifyCopy(VaultSetRuntime& runtime, const std::string& vault, const std::string& key_name,
                             const std::string& version, const std::string& expected_thumbprint);

// Imports `key` as a new version of `key_name` into `vault` (BYOK: new
// version id, same thumbprint), enabled, with `attributes`' nbf/exp, as an
// HSM key when `hsm`; then verifies it.
Result<KeyBundle> ImportCopy(VaultSetRuntime& runtime, const std::string& vault, const std::string& key_name,
                             const LocalRsaKey& key, bool hsm, const KeyAttributes& attributes);

// Backs `key_name` up from `source` and restores it into `target` (same
// geography; `target` must hold no key of that name), then verifies and
// records in `target` the versions listed there whose thumbprint is one of
// `expected_thumbprints` (the history's; other versions the backup carried
// are not recorded); each expected one must be there. Returns them.
Result<std::vector<KeyBundle>> RestoreCopies(VaultSetRuntime& runtime, const std::string& source,
                                             const std::string& target, const std::string& key_name,
                                             const std::vector<std::string>& expected_thumbprints);

}  // namespace geoekm
