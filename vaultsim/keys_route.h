// Maps a keys data-plane request (method + path, case-insensitive) to the
// operation it names, the key name and the version. Operation names double
// as the admin stats / fault-targeting names (README.md).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace geoekm::vaultsim {

enum class KeyOperation {
  kUnknown,
  kCreate, kImport, kGet, kList, kListVersions, kUpdate, kRotate, kBackup, kRestore,
  kDelete, kListDeleted, kGetDeleted, kRecover, kPurge,
  kEncrypt, kDecrypt, kWrapKey, kUnwrapKey,
};

struct KeysRoute {
  KeyOperation op = KeyOperation::kUnknown;
  std::string name;     // as sent
  std::string version;  // empty = latest (get, update, crypto ops)
};

KeysRoute ParseKeysRoute(std::string_view method, std::string_view path);

// Stats / fault name: "create", "wrapkey", ... ("unknown" for kUnknown).
std::string_view OperationName(KeyOperation op);

// The access-policy permission the operation needs ("" for kUnknown).
std::string_view RequiredPermission(KeyOperation op);

// The key_ops entry a crypto operation needs ("" for non-crypto ops).
std::string_view RequiredKeyOp(KeyOperation op);

}  // namespace geoekm::vaultsim
