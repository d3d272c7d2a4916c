#include "keyvault/http/request_wire.h"

#include <Poco/String.h>

#include <string>

#include "core/error_codes.h"
#include "keyvault/http/http_bytes.h"

namespace geoekm {
namespace {

using http_bytes::AllOf;
using http_bytes::IsToken;

Status Refused(const std::string& what) {
  return Status(codes::kHttpSendRequest, ErrorClass::kInvalidInput, "the request was not sent: " + what);
}

// request-target bytes: VCHAR and obs-text, no space or control byte.
constexpr http_bytes::ByteClass kTargetBytes = [] {
  http_bytes::ByteClass t{};
  for (int c = 0x21; c <= 0xff; ++c) t[static_cast<std::size_t>(c)] = c != 0x7f;
  return t;
}();

bool IsTransportsField(const std::string& name) {
  return Poco::icompare(name, "Host") == 0 || Poco::icompare(name, "Connection") == 0 ||
         Poco::icompare(name, "Content-Length") == 0;
}

void AppendField(SecureString& wire, std::string_view name, std::string_view value) {
  wire.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

Result<SecureString> SerializeRequest(const HttpRequest& request, std::string_view host, int port, bool keep_alive) {
  if (!IsToken(request.method)) return Refused("its method is not an HTTP token");
  if (request.target.empty() || !AllOf(kTargetBytes, request.target)) {
    return Refused("its target is empty or holds a space or a control byte");
  }
  bool user_agent = false;
  for (const auto& [name, value] : request.headers) {
    // Only the name is shown: a value may be a credential.
    if (!IsToken(name)) return Refused("a field name is not an HTTP token");
    if (!AllOf(http_bytes::kFieldValue, value)) return Refused("the " + name + " field holds a control byte");
    if (IsTransportsField(name)) return Refused("the transport writes the " + name + " field itself");
    user_agent = user_agent || Poco::icompare(name, "User-Agent") == 0;
  }
  const bool bracketed = host.find(':') != std::string_view::npos;  // an IPv6 literal
  const std::string port_text = port == 443 ? "" : ":" + std::to_string(port);
  const std::string length = CarriesContentLength(request) ? std::to_string(request.body.size()) : "";
  const std::string_view connection = keep_alive ? "Keep-Alive" : "close";

  // Reserved at the exact size: growing would leave unwiped copies behind.
  std::size_t size = request.method.size() + 1 + request.target.size() + 11;  // " HTTP/1.1\r\n"
  size += 6 + host.size() + (bracketed ? 2 : 0) + port_text.size() + 2;      // "Host: " ... "\r\n"
  for (const auto& [name, value] : request.headers) size += name.size() + 2 + value.size() + 2;
  if (!user_agent) size += 12 + UserAgent().size() + 2;
  size += 12 + connection.size() + 2;
  if (!length.empty()) size += 16 + length.size() + 2;
  size += 2 + request.body.size();

  SecureString wire;
  wire.reserve(size);
  wire.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  wire.append("Host: ").append(bracketed ? "[" : "").append(host).append(bracketed ? "]" : "").append(port_text);
  wire.append("\r\n");
  for (const auto& [name, value] : request.headers) AppendField(wire, name, value);
  if (!user_agent) AppendField(wire, "User-Agent", UserAgent());
  AppendField(wire, "Connection", connection);
  if (!length.empty()) AppendField(wire, "Content-Length", length);
  wire.append("\r\n").append(request.body);
  return wire;
}

}  // namespace geoekm
