// Between geoekm's HttpRequest/HttpResponse and Poco's HTTP sessions and
// messages, for the HTTPS transport and the plain-HTTP exchange:
// - Poco's request for the plain-HTTP exchange (ToPocoRequest);
// - a request the transport serialised (request_wire.h) sent in one write,
//   and its answer read from the session (ReceiveHead, ReceiveBody);
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
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/secure_bytes.h"
#include "core/status.h"
#include "keyvault/http/attached_https_session.h"
#include "keyvault/http/http_message.h"
#include "keyvault/http/response_head.h"

namespace geoekm {

// Method, target, headers (+ User-Agent), keep-alive, and a Content-Length
// for a body or for methods that carry one.
Poco::Net::HTTPRequest ToPocoRequest(const HttpRequest& request, bool keep_alive);

// One request over a kept-alive session, without Poco's sendRequest() and
// receiveResponse(): sendRequest() writes a head that has a Content-Length
// twice, the first time a character at a time into a counting stream (with
// a bearer token in the head that pass was about a quarter of a Key Vault
// call's instructions, docs/PERFORMANCE.md), and receiveResponse() frames a
// body only after a sendRequest().
//
// SendInOneWrite writes `wire` (SerializeRequest, request_wire.h) with one
// write to the session's socket; failures are thrown as Poco's. Unlike
// sendRequest() it does not clear a network exception the session kept
// from an earlier request: a session that failed is not to be used again
// (the transport drops it).
void SendInOneWrite(Poco::Net::HTTPClientSession& session, std::string_view wire);

// ReceiveHead reads the status line and headers into `head` (past up to 8
// answers of 100 Continue) with ReadResponseHead / ParseResponseHead
// (response_head.h: Poco's parser cost nearly half of a Key Vault call's
// instructions), and how the body is framed into `framing`. A socket
// failure is thrown as itself (a timeout stays a timeout); no answer at all
// (the connection ended first) as a Poco::Net::NoMessageException, as Poco
// throws it; a malformed head as a Poco::Net::MessageException carrying the
// parser's text.
void ReceiveHead(AttachedHttpsSession& session, HttpResponse* head, BodyFraming* framing);

// ReceiveBody reads the body `framing` describes into `body`, as ReadBody
// does: one of known length straight from the session's buffer, a chunked
// one or one that runs to the connection's end through Poco's streams. It
// must be called (or the session dropped) before the session's next
// request. A socket failure is thrown.
Status ReceiveBody(AttachedHttpsSession& session, const BodyFraming& framing, std::size_t max_body_bytes,
                   std::string* body);

// Reads a body from `in` into `body`: exactly `length` bytes, or (nullopt)
// until `in` ends. Fails with codes::kHttpReadData (kTransient) when the
// body exceeds `max_body_bytes` (reading stops there; a length above it is
// refused before any byte is read) or ends before `length`; the caller
// must then drop the connection. Grows `body` without leaving unwiped
// copies (an unwrap's answer holds a DEK).
Status ReadBody(std::istream& in, std::optional<std::uint64_t> length, std::size_t max_body_bytes,
                std::string* body);

// Status line and headers of `response` (Poco's, from receiveResponse()),
// and its body read from `in` by its Content-Length or to its end, as
// ReadBody reads it.
Status ReadPocoResponse(const Poco::Net::HTTPResponse& response, std::istream& in, std::size_t max_body_bytes,
                        HttpResponse* out);

}  // namespace geoekm
