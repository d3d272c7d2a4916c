#include "replication/rotation_tsql.h"

#include <algorithm>

namespace geoekm {

std::string RotationTsql(const RotationTsqlInput& in) {
  // A SQL identifier from the key name and the version's first 8 characters:
  // unique per version, readable, and '-' (allowed in Key Vault names) becomes '_'.
  std::string base = in.key_name + "_" + in.version.substr(0, 8);
  std::replace(base.begin(), base.end(), '-', '_');
  const std::string key = "[" + base + "]";
  const std::string login = "[" + base + "_login]";
  const std::string credential = "[" + base + "_cred]";
  std::string out;
  out += "-- New TDE protector: " + in.key_name + "/" + in.version + " (thumbprint " + in.thumbprint + ").\n";
  out += "-- On every SQL Server instance that uses this vault set (each node of an availability group):\n";
  out += "CREATE ASYMMETRIC KEY " + key + "\n";
  out += "  FROM PROVIDER [" + in.provider + "]\n";
  out += "  WITH PROVIDER_KEY_NAME = '" + in.key_name + "/" + in.version + "',\n";
  out += "       CREATION_DISPOSITION = OPEN_EXISTING;\n";
  out += "CREATE LOGIN " + login + " FROM ASYMMETRIC KEY " + key + ";\n";
  out += "CREATE CREDENTIAL " + credential + "\n";
  out += "  WITH IDENTITY = '" + in.set_name + "', SECRET = ''\n";
  out += "  FOR CRYPTOGRAPHIC PROVIDER [" + in.provider + "];\n";
  out += "ALTER LOGIN " + login + " ADD CREDENTIAL " + credential + ";\n";
  out += "-- Then in each TDE-encrypted database (on the primary replica):\n";
  out += "USE [<database>];\n";
  out += "ALTER DATABASE ENCRYPTION KEY ENCRYPTION BY SERVER ASYMMETRIC KEY " + key + ";\n";
  out += "-- Keep the previous asymmetric key, its login and every old key version in the vaults:\n";
  out += "-- backups taken before this rotation need them to restore.\n";
  return out;
}

}  // namespace geoekm
