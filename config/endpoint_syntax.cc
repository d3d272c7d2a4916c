#include "config/endpoint_syntax.h"

#include <Poco/Ascii.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <arpa/inet.h>

#include <algorithm>
#include <optional>

#include "core/error_codes.h"

namespace geoekm {
namespace {

Status Invalid(const std::string& why) { return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, why); }

bool IsIpLiteral(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// Why `host` is neither an IP literal nor an LDH host name (RFC 1123:
// labels of 1-63 letters, digits and hyphens, not starting or ending with a
// hyphen, 253 characters in all), or nullopt when it is one. Anything else
// would reach DNS, TLS name checks and logs as something other than what
// the operator reads in the file.
std::optional<std::string> HostProblem(const std::string& host) {
  if (host.find('\0') == std::string::npos && IsIpLiteral(host)) return std::nullopt;
  if (std::any_of(host.begin(), host.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return "non-ASCII host names are not supported; use the punycode (xn--) form";
  }
  if (host.find(':') != std::string::npos) return "host '" + host + "' is not a valid IPv6 address";
  auto bad = std::find_if(host.begin(), host.end(),
                          [](char c) { return !Poco::Ascii::isAlphaNumeric(c) && c != '-' && c != '.'; });
  if (bad != host.end()) {
    return "host has a character not allowed in a host name (only letters, digits, '-' and '.' between labels)";
  }
  if (host.size() > 253) return "host name is longer than 253 characters";
  std::string::size_type start = 0;
  std::string label;
  for (;;) {
    const std::string::size_type dot = host.find('.', start);
    label = host.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty()) return "host name has an empty label (a leading, trailing or doubled '.')";
    if (label.size() > 63) return "host name label '" + label + "' is longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') {
      return "host name label '" + label + "' starts or ends with '-'";
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // All-numeric last label: a mistyped IPv4 address (300.1.1.1), not a name.
  if (std::all_of(label.begin(), label.end(), Poco::Ascii::isDigit)) {
    return "host '" + host + "' is not a valid IPv4 address (and a host name's last label is not all digits)";
  }
  return std::nullopt;
}

Result<Endpoint> Checked(Endpoint endpoint) {
  if (auto problem = HostProblem(endpoint.host)) return Invalid(*problem);
  return endpoint;
}

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
  return Checked(Endpoint{scheme, uri.getHost(), uri.getPort()});
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
  return Checked(Endpoint{"", uri.getHost(), uri.getSpecifiedPort()});
}

}  // namespace geoekm
