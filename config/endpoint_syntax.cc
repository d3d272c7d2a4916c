#include "config/endpoint_syntax.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "core/error_codes.h"

namespace geoekm {
namespace {

Status Invalid(const std::string& why) { return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, why); }

}  // namespace

std::string Endpoint::Normalized() const {
  std::string out = scheme + "://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host);
  bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

Result<Endpoint> ParseServiceUrl(const std::string& text, bool allow_http) {
  Poco::URI uri;
  try {
    uri = Poco::URI(text);
  } catch (const Poco::Exception& e) {
    return Invalid("not a URL (" + e.message() + ")");
  }
  const std::string& scheme = uri.getScheme();
  if (scheme != "https" && !(allow_http && scheme == "http")) {
    return Invalid(scheme.empty() ? "has no scheme" : "scheme '" + scheme + "' is not allowed");
  }
  if (uri.getHost().empty()) return Invalid("has no host");
  if (!uri.getUserInfo().empty()) return Invalid("must not contain user info");
  if (!(uri.getPath().empty() || uri.getPath() == "/") || !uri.getRawQuery().empty() ||
      !uri.getFragment().empty()) {
    return Invalid("must not have a path, query or fragment");
  }
  if (uri.getPort() == 0) return Invalid("port 0 is not allowed");
  return Endpoint{scheme, uri.getHost(), uri.getPort()};
}

Result<Endpoint> ParseHostPort(const std::string& text) {
  Poco::URI uri;
  try {
    uri = Poco::URI("tcp://" + text);
  } catch (const Poco::Exception& e) {
    return Invalid("not host:port (" + e.message() + ")");
  }
  if (uri.getHost().empty() || !uri.getUserInfo().empty() || !uri.getPath().empty() ||
      !uri.getRawQuery().empty() || !uri.getFragment().empty()) {
    return Invalid("not host:port");
  }
  if (uri.getSpecifiedPort() == 0) return Invalid("needs a port from 1 to 65535");
  return Endpoint{"", uri.getHost(), uri.getSpecifiedPort()};
}

}  // namespace geoekm
