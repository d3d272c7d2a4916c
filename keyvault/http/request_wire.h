// SerializeRequest: the bytes of one HTTP/1.1 request as the HTTPS
// transport writes them, in one buffer for one write.
//
//   METHOD SP target SP HTTP/1.1 CRLF
//   Host: host[:port]              (the port unless it is 443)
//   the request's own fields, in order
//   User-Agent: geoekm/<version>   (unless the request set one)
//   Connection: Keep-Alive | close
//   Content-Length: n              (CarriesContentLength, http_message.h)
//   CRLF body
//
// Why not Poco's HTTPRequest: filling its header list (a case-insensitive
// search per field) and writing it through an ostream built per request
// cost more than writing these lines (docs/PERFORMANCE.md). Poco still
// writes the proxy's CONNECT and the plain-HTTP requests.
//
// What goes out is checked first, since a field's value can come from
// outside (a bearer token is the authority's): a method or field name that
// is not a token, a target with a space or a control byte, a value with a
// CR, LF, NUL or other control byte, or a Host, Connection or
// Content-Length field the request set itself (the transport's to write) is
// refused with codes::kHttpSendRequest (kInvalidInput), naming the field,
// never its value. The buffer is wiped when freed: it holds the bearer
// token and, for a wrap, the DEK.
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/http/http_message.h"

namespace geoekm {

Result<SecureString> SerializeRequest(const HttpRequest& request, std::string_view host, int port, bool keep_alive);

}  // namespace geoekm
