#include "keyvault/http/poco_message.h"

#include <Poco/Net/HTTPChunkedStream.h>
#include <Poco/Net/HTTPStream.h>
#include <Poco/Net/NetException.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

#include <openssl/crypto.h>

#include "core/error_codes.h"

namespace geoekm {
namespace {

// Bodies can hold a DEK (unwrap answers): growing the string must not leave
// an unwiped copy behind in freed memory.
void AppendWiping(std::string& s, const char* data, std::size_t n) {
  if (s.size() + n > s.capacity()) {
    std::string bigger;
    bigger.reserve(std::max(s.capacity() * 2, s.size() + n));
    bigger.append(s);
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
    s.swap(bigger);
  }
  s.append(data, n);
}

Status TooLarge(std::size_t cap) {
  return Status(codes::kHttpReadData, ErrorClass::kTransient,
                "the response body exceeds the limit of " + std::to_string(cap) +
                    " bytes; it was not read further (the server's answer is not a Key Vault or token answer)");
}

// The one body reader. read_some(into, n) gives up to n bytes, 0 at the
// end. Exactly `length` bytes, or (nullopt) until the end; at most
// max_body_bytes either way.
template <typename ReadSome>
Status ReadBodyFrom(ReadSome&& read_some, std::optional<std::uint64_t> length, std::size_t max_body_bytes,
                    std::string* body) {
  body->clear();
  if (length && *length > max_body_bytes) return TooLarge(max_body_bytes);
  if (length) {
    // Known length (checked against the cap above): read straight into the
    // body, so no staging buffer holds a copy of it to wipe.
    body->resize(static_cast<std::size_t>(*length));
    std::size_t got = 0;
    while (got < body->size()) {
      const std::size_t n = read_some(body->data() + got, std::min<std::size_t>(body->size() - got, 1 << 20));
      if (n == 0) break;
      got += n;
    }
    body->resize(got);
    if (got != *length) {
      return Status(codes::kHttpReadData, ErrorClass::kTransient,
                    "the connection ended after " + std::to_string(got) + " of " + std::to_string(*length) +
                        " body bytes");
    }
    return Status::Ok();
  }
  std::array<char, 16384> chunk;
  std::size_t chunk_used = 0;  // how much of `chunk` ever held body bytes: wiped below
  for (;;) {
    // One byte past the cap tells a body of exactly the cap from a larger one.
    const std::size_t room = max_body_bytes + 1 - body->size();
    const std::size_t got = read_some(chunk.data(), std::min(room, chunk.size()));
    if (got == 0) break;
    chunk_used = std::max(chunk_used, got);
    AppendWiping(*body, chunk.data(), got);
    if (body->size() > max_body_bytes) break;
  }
  OPENSSL_cleanse(chunk.data(), chunk_used);
  if (body->size() > max_body_bytes) return TooLarge(max_body_bytes);
  return Status::Ok();
}

}  // namespace

Poco::Net::HTTPRequest ToPocoRequest(const HttpRequest& request, bool keep_alive) {
  Poco::Net::HTTPRequest req(request.method, request.target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (!req.has("User-Agent")) req.set("User-Agent", std::string(UserAgent()));
  req.setKeepAlive(keep_alive);
  if (CarriesContentLength(request)) {
    req.setContentLength(static_cast<std::streamsize>(request.body.size()));
  }
  return req;
}

void SendInOneWrite(Poco::Net::HTTPClientSession& session, std::string_view wire) {
  if (!session.connected()) throw Poco::Net::ConnectionResetException("the connection was closed");
  for (std::size_t sent = 0; sent < wire.size();) {
    const int n = session.socket().sendBytes(wire.data() + sent, static_cast<int>(wire.size() - sent));
    if (n <= 0) throw Poco::IOException("the request could not be written");
    sent += static_cast<std::size_t>(n);
  }
}

void ReceiveHead(AttachedHttpsSession& session, HttpResponse* head, BodyFraming* framing) {
  // A peer may send 100 Continue heads before the answer; a few are plenty.
  constexpr int kMaxContinues = 8;
  std::string text;
  text.reserve(1024);  // a Key Vault answer's head is about 600 bytes
  for (int continues = 0;; ++continues) {
    // Straight from the session's buffer; a socket failure is thrown as itself.
    Status read = ReadResponseHead([&session] { return session.NextByte(); }, &text);
    if (read.ok()) read = ParseResponseHead(text, head, framing);
    if (!read.ok() && text.empty()) throw Poco::Net::NoMessageException(read.message());  // as Poco's
    if (!read.ok()) throw Poco::Net::MessageException(read.message());
    if (head->status != Poco::Net::HTTPResponse::HTTP_CONTINUE) return;
    if (continues == kMaxContinues) {
      throw Poco::Net::MessageException("more than " + std::to_string(kMaxContinues) + " answers of 100 Continue");
    }
  }
}

Status ReceiveBody(AttachedHttpsSession& session, const BodyFraming& framing, std::size_t max_body_bytes,
                   std::string* body) {
  switch (framing.kind) {
    case BodyFraming::Kind::kNone:
    case BodyFraming::Kind::kLength:
      // No stream is built for the usual answer: its bytes are copied out of
      // the session's buffer (and received into the body when there are more).
      return ReadBodyFrom(
          [&session](char* into, std::size_t n) {
            return static_cast<std::size_t>(std::max(0, session.ReadSome(into, static_cast<int>(n))));
          },
          framing.known_length(), max_body_bytes, body);
    case BodyFraming::Kind::kChunked: {
      Poco::Net::HTTPChunkedInputStream in(session);
      return ReadBody(in, std::nullopt, max_body_bytes, body);
    }
    case BodyFraming::Kind::kToEnd:
      break;
  }
  Poco::Net::HTTPInputStream in(session);
  return ReadBody(in, std::nullopt, max_body_bytes, body);
}

Status ReadBody(std::istream& in, std::optional<std::uint64_t> length, std::size_t max_body_bytes,
                std::string* body) {
  Status read = ReadBodyFrom(
      [&in](char* into, std::size_t n) {
        if (!in) return std::size_t{0};
        in.read(into, static_cast<std::streamsize>(n));
        return static_cast<std::size_t>(in.gcount());
      },
      length, max_body_bytes, body);
  // Poco's streams catch a socket failure and set badbit.
  if (in.bad()) {
    return Status(codes::kHttpReadData, ErrorClass::kTransient, "the response body could not be read");
  }
  return read;
}

Status ReadPocoResponse(const Poco::Net::HTTPResponse& response, std::istream& in, std::size_t max_body_bytes,
                        HttpResponse* out) {
  out->status = static_cast<int>(response.getStatus());
  out->reason = response.getReason();
  out->headers.reserve(static_cast<std::size_t>(std::distance(response.begin(), response.end())));
  for (const auto& [name, value] : response) out->headers.emplace_back(name, value);
  std::optional<std::uint64_t> length;
  if (response.hasContentLength() && response.getContentLength64() >= 0) {
    length = static_cast<std::uint64_t>(response.getContentLength64());
  }
  return ReadBody(in, length, max_body_bytes, &out->body);
}

}  // namespace geoekm
