// BackupBlob: the opaque key backup of a simulated vault. Like Azure's blob
// it is self-describing (length-prefixed marker + format version) and can
// only be opened inside the same geography: the payload is AES-256-GCM
// encrypted under HKDF-SHA256(geography backup secret), and the header
// (marker, version, geography name) is authenticated as AAD.
//
//   [len][marker][0x01][len][geography][iv:12][ciphertext][tag:16]
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm::vaultsim {

Bytes SealBackupBlob(const std::string& geography, const std::string& secret, const SecureBytes& plaintext);

enum class BackupOpenError { kMalformed, kOtherGeography };

struct OpenedBackup {
  SecureBytes plaintext;
  BackupOpenError error = BackupOpenError::kMalformed;  // meaningful when !ok
  std::string blob_geography;                           // when readable
  bool ok = false;
};

OpenedBackup OpenBackupBlob(const Bytes& blob, const std::string& geography, const std::string& secret);

}  // namespace geoekm::vaultsim
