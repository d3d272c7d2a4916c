// VaultCall: what geoekm asked a vault to do. The router reports its calls
// with it (RouterObserver::OnVaultCall) and the state store's operations
// audit records it, so both share this one vocabulary (header-only, in the
// Key Vault data model both depend on). An enumeration, not free text, so
// that no payload can travel in the audit's op column; the names must match
// the CHECK constraint on operations.op in state/schema_migrations.cc.
//
// Thread safety: constants and pure functions.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace geoekm {

enum class VaultCall {
  kWrap, kUnwrap, kGetKey, kListVersions, kProbe, kVerify,
  kBackup, kRestore, kImport, kCreate, kRotate, kUpdate,
};

inline constexpr std::array<std::pair<VaultCall, std::string_view>, 12> kVaultCallNames{{
    {VaultCall::kWrap, "wrap"},
    {VaultCall::kUnwrap, "unwrap"},
    {VaultCall::kGetKey, "get-key"},
    {VaultCall::kListVersions, "list-versions"},
    {VaultCall::kProbe, "probe"},
    {VaultCall::kVerify, "verify"},
    {VaultCall::kBackup, "backup"},
    {VaultCall::kRestore, "restore"},
    {VaultCall::kImport, "import"},
    {VaultCall::kCreate, "create"},
    {VaultCall::kRotate, "rotate"},
    {VaultCall::kUpdate, "update"},
}};

// "wrap", "unwrap", "get-key", "list-versions", "probe", "verify", "backup", ...
inline std::string_view VaultCallName(VaultCall call) {
  for (const auto& [c, name] : kVaultCallNames) {
    if (c == call) return name;
  }
  return "unknown";
}

inline std::optional<VaultCall> ParseVaultCall(std::string_view name) {
  for (const auto& [c, n] : kVaultCallNames) {
    if (n == name) return c;
  }
  return std::nullopt;
}

}  // namespace geoekm
