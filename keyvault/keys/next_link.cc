#include "keyvault/keys/next_link.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <cctype>

#include "core/error_codes.h"

namespace geoekm {
namespace {

Status Refused(const std::string& why) {
  return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "nextLink " + why);
}

// The raw query without api-version, parameters kept as the vault wrote them.
std::string QueryWithoutApiVersion(const std::string& raw_query) {
  std::string kept;
  std::size_t start = 0;
  while (start <= raw_query.size()) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string::npos) end = raw_query.size();
    std::string_view part(raw_query.data() + start, end - start);
    std::string_view name = part.substr(0, part.find('='));
    if (!part.empty() && Poco::icompare(std::string(name), "api-version") != 0) {
      if (!kept.empty()) kept += '&';
      kept += part;
    }
    start = end + 1;
  }
  return kept;
}

}  // namespace

Result<std::string> NextLinkTarget(std::string_view next_link, const std::string& vault_host, int vault_port) {
  if (next_link.empty()) return Refused("is empty");
  try {
    Poco::URI uri{std::string(next_link)};
    if (!uri.isRelative() || !uri.getHost().empty()) {
      if (Poco::icompare(uri.getScheme(), "https") != 0) return Refused("is not https");
      if (Poco::icompare(uri.getHost(), vault_host) != 0) return Refused("points to another host");
      if (uri.getPort() != vault_port) return Refused("points to another port");
    }
    // The path as written (Poco's getPath() decodes escapes such as %2F).
    const std::string link(next_link);
    const std::size_t authority = link.find("://");
    const std::size_t path_start = authority == std::string::npos ? 0 : link.find('/', authority + 3);
    const std::size_t query_start = link.find_first_of("?#", authority == std::string::npos ? 0 : authority + 3);
    if (path_start == std::string::npos || path_start > query_start || link[path_start] != '/') {
      return Refused("has no path");
    }
    const std::string path = link.substr(path_start, query_start - path_start);
    // Vault paths are plain segments ("/keys/name/versions"); anything else
    // (dot segments, escapes) is not followed.
    for (char c : path) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '-' && c != '_' && c != '.') {
        return Refused("has an unexpected path");
      }
    }
    if (path.find("/..") != std::string::npos || path.find("/./") != std::string::npos || path.ends_with("/.")) {
      return Refused("has an unexpected path");
    }
    if (!uri.getFragment().empty()) return Refused("carries a fragment");
    std::string target = path;
    std::string query = QueryWithoutApiVersion(uri.getRawQuery());
    if (!query.empty()) target += "?" + query;
    return target;
  } catch (const Poco::Exception&) {
    return Refused("is not a URL");
  }
}

}  // namespace geoekm
