// The shapes of Azure/Entra ID names a configuration contains: client and
// tenant ids, Key Vault key names, and the Azure geographies (the boundary
// inside which a key backup can be restored).
//
// Thread safety: pure functions and constants.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace geoekm {

// 32 hex digits (the connector's form, no hyphens).
bool IsHex32(std::string_view s);
// 8-4-4-4-12 hex digits.
bool IsGuid(std::string_view s);
// An application (client) id: IsHex32 or IsGuid.
bool IsClientId(std::string_view s);
// A tenant: a GUID or a verified domain (contoso.onmicrosoft.com).
bool IsTenant(std::string_view s);

// Key Vault object names: 1..127 of A-Z a-z 0-9 '-'.
inline constexpr std::size_t kMaxKeyNameLength = 127;
// The Microsoft connector packs the key name into a 26-character thumbprint.
inline constexpr std::size_t kConnectorMaxKeyNameLength = 26;
bool IsKeyName(std::string_view s);

struct AzureGeography {
  std::string_view code;  // what a config writes, upper case
  std::string_view name;
};
// The documented list (README.md, "Configuration reference" mirrors it).
const std::vector<AzureGeography>& AzureGeographies();
// The upper-case code if `s` names a geography (case-insensitive), else "".
std::string CanonicalGeography(std::string_view s);

}  // namespace geoekm
