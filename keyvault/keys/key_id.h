// Key Vault key identifiers: version ids (the vault's letters and digits, 32
// hex in Azure) and the key id URL https://{vault}/keys/{name}/{version} that
// answers carry as "kid". Key names: IsKeyName in config/azure_names.h.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace geoekm {

bool IsKeyVersion(std::string_view version);  // 1-64 letters and digits

struct KeyId {
  std::string name;
  std::string version;
};
// The name and version of an https kid; nullopt for anything else.
std::optional<KeyId> ParseKid(const std::string& kid);

// The key name in a request path "/keys/{name}[/...][?...]", "" if none.
std::string_view KeyNameInPath(std::string_view path);

}  // namespace geoekm
