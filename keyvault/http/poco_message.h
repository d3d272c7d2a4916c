// Conversions between geoekm's HttpRequest/HttpResponse and Poco's HTTP
// messages, shared by the HTTPS transport and the plain-HTTP exchange:
// - every request carries "User-Agent: geoekm/<version>" (unless the caller
//   set one);
// - a request is serialised (head by Poco, then the body) into one buffer
//   that is wiped when freed, for one write;
// - a response body is read in bounded steps and refused past a cap, so a
//   hostile or broken peer cannot make us buffer gigabytes (a Content-Length
//   above the cap is refused before any of the body is read).
//
// Thread safety: pure functions over the caller's objects.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <cstddef>
#include <istream>
#include <memory>
#include <string_view>

#include "core/secure_bytes.h"
#include "core/status.h"
#include "keyvault/http/http_message.h"

namespace geoekm {

// "geoekm/<project version>".
std::string_view UserAgent();

// Method, target, headers (+ User-Agent), keep-alive, and a Content-Length
// for a body or for methods that carry one.
Poco::Net::HTTPRequest ToPocoRequest(const HttpRequest& request, bool keep_alive);

// One request over a kept-alive session, without Poco's sendRequest() and
// receiveResponse(). sendRequest() writes a head that has a Content-Length
// twice, the first time a character at a time into a counting stream (to
// size its output stream): with a bearer token in the head that pass was
// about a quarter of a Key Vault call's instructions (docs/PERFORMANCE.md),
// and receiveResponse() frames a body only after a sendRequest().
//
// SendInOneWrite writes `request` (Host added as Poco adds it) and `body`
// with one write to the session's socket, from a buffer wiped when freed
// (it holds the bearer token and, for a wrap, the DEK); failures are thrown
// as Poco's. Unlike sendRequest() it does not clear a network exception the
// session kept from an earlier request: a session that failed is not to be
// used again (the transport drops it).
void SendInOneWrite(Poco::Net::HTTPClientSession& session, Poco::Net::HTTPRequest& request, std::string_view body);
// ReceiveAnswer reads the status line and headers into `response` (past
// any 100 Continue) with Poco's parser and returns the body's stream,
// framed as receiveResponse() frames it: empty for 1xx, 204 and 304,
// chunked, by Content-Length, or up to the connection's end. It reads from
// the session's buffer, so it must be read (or dropped with the session)
// before the next request. A socket failure while reading the head is
// thrown as itself (a timeout stays a timeout), not as the parser's "no
// response".
std::unique_ptr<std::istream> ReceiveAnswer(Poco::Net::HTTPClientSession& session,
                                            Poco::Net::HTTPResponse& response);

// Status line and headers of `response`, and its body read from `in`.
// Fails with codes::kHttpReadData (kTransient) when the body exceeds
// `max_body_bytes` (reading stops there) or ends before its Content-Length;
// the caller must then drop the connection.
Status ReadPocoResponse(const Poco::Net::HTTPResponse& response, std::istream& in, std::size_t max_body_bytes,
                        HttpResponse* out);

}  // namespace geoekm
