#include "vaultsim/keys_route.h"

#include <Poco/String.h>

#include <optional>
#include <vector>

namespace geoekm::vaultsim {
namespace {

std::vector<std::string> Split(std::string_view path, bool* trailing_slash) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '/') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  *trailing_slash = !path.empty() && path.back() == '/';
  return parts;
}

bool Is(const std::string& a, const char* b) { return Poco::icompare(a, std::string(b)) == 0; }

KeysRoute Make(KeyOperation op, std::string name = "", std::string version = "") {
  return KeysRoute{op, std::move(name), std::move(version)};
}

std::optional<KeyOperation> CryptoOp(const std::string& segment) {
  if (Is(segment, "encrypt")) return KeyOperation::kEncrypt;
  if (Is(segment, "decrypt")) return KeyOperation::kDecrypt;
  if (Is(segment, "wrapkey")) return KeyOperation::kWrapKey;
  if (Is(segment, "unwrapkey")) return KeyOperation::kUnwrapKey;
  return std::nullopt;
}

}  // namespace

KeysRoute ParseKeysRoute(std::string_view method, std::string_view path) {
  bool trailing = false;
  std::vector<std::string> p = Split(path, &trailing);
  const std::string m(method);
  if (p.empty()) return {};
  if (Is(p[0], "keys")) {
    if (p.size() == 1) return m == "GET" ? Make(KeyOperation::kList) : KeysRoute{};
    if (p.size() == 2) {
      if (m == "POST" && Is(p[1], "restore")) return Make(KeyOperation::kRestore);
      if (m == "GET") return Make(KeyOperation::kGet, p[1]);
      if (m == "PUT") return Make(KeyOperation::kImport, p[1]);
      if (m == "DELETE") return Make(KeyOperation::kDelete, p[1]);
      // POST /keys/{name}//encrypt collapses to 3 segments below; PATCH with
      // an empty version ("/keys/x/") means the latest version.
      if (m == "PATCH" && trailing) return Make(KeyOperation::kUpdate, p[1]);
      return {};
    }
    if (p.size() == 3) {
      if (m == "POST" && Is(p[2], "create")) return Make(KeyOperation::kCreate, p[1]);
      if (m == "POST" && Is(p[2], "rotate")) return Make(KeyOperation::kRotate, p[1]);
      if (m == "POST" && Is(p[2], "backup")) return Make(KeyOperation::kBackup, p[1]);
      if (m == "GET" && Is(p[2], "versions")) return Make(KeyOperation::kListVersions, p[1]);
      if (m == "POST") {
        // Empty version (/keys/{name}//wrapkey): the latest version.
        if (auto op = CryptoOp(p[2]); op && path.find("//") != std::string_view::npos) return Make(*op, p[1]);
        return {};
      }
      if (m == "GET") return Make(KeyOperation::kGet, p[1], p[2]);
      if (m == "PATCH") return Make(KeyOperation::kUpdate, p[1], p[2]);
      return {};
    }
    if (p.size() == 4 && m == "POST") {
      if (auto op = CryptoOp(p[3])) return Make(*op, p[1], p[2]);
    }
    return {};
  }
  if (Is(p[0], "deletedkeys")) {
    if (p.size() == 1) return m == "GET" ? Make(KeyOperation::kListDeleted) : KeysRoute{};
    if (p.size() == 2 && m == "GET") return Make(KeyOperation::kGetDeleted, p[1]);
    if (p.size() == 2 && m == "DELETE") return Make(KeyOperation::kPurge, p[1]);
    if (p.size() == 3 && m == "POST" && Is(p[2], "recover")) return Make(KeyOperation::kRecover, p[1]);
  }
  return {};
}

std::string_view OperationName(KeyOperation op) {
  switch (op) {
    case KeyOperation::kUnknown: return "unknown";
    case KeyOperation::kCreate: return "create";
    case KeyOperation::kImport: return "import";
    case KeyOperation::kGet: return "get";
    case KeyOperation::kList: return "list";
    case KeyOperation::kListVersions: return "list_versions";
    case KeyOperation::kUpdate: return "update";
    case KeyOperation::kRotate: return "rotate";
    case KeyOperation::kBackup: return "backup";
    case KeyOperation::kRestore: return "restore";
    case KeyOperation::kDelete: return "delete";
    case KeyOperation::kListDeleted: return "list_deleted";
    case KeyOperation::kGetDeleted: return "get_deleted";
    case KeyOperation::kRecover: return "recover";
    case KeyOperation::kPurge: return "purge";
    case KeyOperation::kEncrypt: return "encrypt";
    case KeyOperation::kDecrypt: return "decrypt";
    case KeyOperation::kWrapKey: return "wrapkey";
    case KeyOperation::kUnwrapKey: return "unwrapkey";
  }
  return "unknown";
}

std::string_view RequiredPermission(KeyOperation op) {
  switch (op) {
    case KeyOperation::kUnknown: return "";
    case KeyOperation::kCreate: return "create";
    case KeyOperation::kImport: return "import";
    case KeyOperation::kGet: return "get";
    case KeyOperation::kList: return "list";
    case KeyOperation::kListVersions: return "list";
    case KeyOperation::kUpdate: return "update";
    case KeyOperation::kRotate: return "rotate";
    case KeyOperation::kBackup: return "backup";
    case KeyOperation::kRestore: return "restore";
    case KeyOperation::kDelete: return "delete";
    case KeyOperation::kListDeleted: return "list";
    case KeyOperation::kGetDeleted: return "get";
    case KeyOperation::kRecover: return "recover";
    case KeyOperation::kPurge: return "purge";
    case KeyOperation::kEncrypt: return "encrypt";
    case KeyOperation::kDecrypt: return "decrypt";
    case KeyOperation::kWrapKey: return "wrapKey";
    case KeyOperation::kUnwrapKey: return "unwrapKey";
  }
  return "";
}

std::string_view RequiredKeyOp(KeyOperation op) {
  switch (op) {
    case KeyOperation::kEncrypt: return "encrypt";
    case KeyOperation::kDecrypt: return "decrypt";
    case KeyOperation::kWrapKey: return "wrapKey";
    case KeyOperation::kUnwrapKey: return "unwrapKey";
    default: return "";
  }
}

}  // namespace geoekm::vaultsim
