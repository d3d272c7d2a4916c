#include "vault_router/key_id_check.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <vector>

namespace geoekm {

std::string KeyIdProblem(const std::string& kid, const std::string& host, int port, const std::string& name,
                         const std::string& version) {
  try {
    const Poco::URI uri(kid);
    std::vector<std::string> path;
    uri.getPathSegments(path);
    if (uri.getScheme() != "https" || path.size() != 3 || path[0] != "keys" || path[2].empty()) {
      return "is not https://<vault>/keys/<name>/<version>";
    }
    if (!host.empty() && (Poco::icompare(uri.getHost(), host) != 0 || uri.getPort() != port)) {
      return "names another vault than " + host + ":" + std::to_string(port);
    }
    if (Poco::icompare(path[1], name) != 0) return "names another key than '" + name + "'";
    if (!version.empty() && path[2] != version) return "names another version than " + version;
    return "";
  } catch (const Poco::Exception&) {
    return "is not a URL";
  }
}

}  // namespace geoekm
