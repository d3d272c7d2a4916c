#include "keyvault/keys/key_id.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "keyvault/keys/azure_names.h"

namespace geoekm {

bool IsKeyVersion(std::string_view version) {
  return !version.empty() && version.size() <= 64 && std::all_of(version.begin(), version.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c));
         });
}

std::optional<KeyId> ParseKid(const std::string& kid) {
  std::vector<std::string> segments;
  try {
    Poco::URI uri(kid);
    if (uri.getScheme() != "https" || uri.getHost().empty()) return std::nullopt;
    uri.getPathSegments(segments);
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  if (segments.size() != 3 || segments[0] != "keys" || !IsKeyName(segments[1]) || !IsKeyVersion(segments[2])) {
    return std::nullopt;
  }
  return KeyId{segments[1], segments[2]};
}

std::string_view KeyNameInPath(std::string_view path) {
  constexpr std::string_view kKeys = "/keys/";
  if (!path.starts_with(kKeys)) return {};
  path.remove_prefix(kKeys.size());
  return path.substr(0, path.find_first_of("/?"));
}

}  // namespace geoekm
