// The T-SQL a DBA runs after `geoekm rotate` completed: open the new key
// version in SQL Server as an asymmetric key of the EKM provider (pinned to
// its version id, PROVIDER_KEY_NAME = 'name/<version>'), give the engine a
// login and credential for it, and re-encrypt each database encryption key
// with it (ALTER DATABASE ENCRYPTION KEY ... ENCRYPTION BY SERVER
// ASYMMETRIC KEY). The old asymmetric key stays: backups taken before the
// rotation need it to restore (README "Replication: sync and rotate").
//
// Thread safety: a pure function.
#pragma once

#include <string>

namespace geoekm {

struct RotationTsqlInput {
  std::string key_name;    // Key Vault key name (tde-protector)
  std::string version;     // the primary vault's version id of the new material
  std::string thumbprint;  // RFC 7638, for the comment
  std::string set_name;    // the credential's IDENTITY
  std::string provider = "geoekm";  // CREATE CRYPTOGRAPHIC PROVIDER name (the README's)
};

std::string RotationTsql(const RotationTsqlInput& input);

}  // namespace geoekm
