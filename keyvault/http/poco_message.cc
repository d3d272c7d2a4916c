#include "keyvault/http/poco_message.h"

#include <Poco/Net/HTTPChunkedStream.h>
#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPStream.h>
#include <Poco/Net/NetException.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <ostream>
#include <streambuf>
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

// A stream buffer that appends to a SecureString in blocks (an unbuffered
// streambuf would be handed one character at a time).
class AppendingStreamBuf final : public std::streambuf {
 public:
  explicit AppendingStreamBuf(SecureString& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  SecureString& out_;
};

// The request line and headers exactly as Poco's HTTPRequest::write()
// writes them, then `body`, in a buffer reserved at their size up front.
SecureString SerializeRequest(const Poco::Net::HTTPRequest& head, std::string_view body) {
  // "METHOD URI VERSION\r\n", "Name: value\r\n" per header, "\r\n".
  std::size_t size = head.getMethod().size() + head.getURI().size() + head.getVersion().size() + 4 + 2;
  for (const auto& [name, value] : head) size += name.size() + value.size() + 4;
  SecureString wire;
  wire.reserve(size + body.size());
  AppendingStreamBuf sink(wire);
  std::ostream out(&sink);
  head.write(out);
  wire.append(body);
  return wire;
}

}  // namespace

std::string_view UserAgent() { return "geoekm/" GEOEKM_VERSION; }

Poco::Net::HTTPRequest ToPocoRequest(const HttpRequest& request, bool keep_alive) {
  Poco::Net::HTTPRequest req(request.method, request.target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (!req.has("User-Agent")) req.set("User-Agent", std::string(UserAgent()));
  req.setKeepAlive(keep_alive);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    req.setContentLength(static_cast<std::streamsize>(request.body.size()));
  }
  return req;
}

void SendInOneWrite(Poco::Net::HTTPClientSession& session, Poco::Net::HTTPRequest& request, std::string_view body) {
  if (!session.connected()) throw Poco::Net::ConnectionResetException("the connection was closed");
  if (!request.has(Poco::Net::HTTPRequest::HOST)) request.setHost(session.getHost(), session.getPort());
  const SecureString wire = SerializeRequest(request, body);
  for (std::size_t sent = 0; sent < wire.size();) {
    const int n = session.socket().sendBytes(wire.data() + sent, static_cast<int>(wire.size() - sent));
    if (n <= 0) throw Poco::IOException("the request could not be written");
    sent += static_cast<std::size_t>(n);
  }
}

std::unique_ptr<std::istream> ReceiveAnswer(AttachedHttpsSession& session, HttpResponse* head,
                                            BodyFraming* framing) {
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
    if (head->status != Poco::Net::HTTPResponse::HTTP_CONTINUE) break;
    if (continues == kMaxContinues) throw Poco::Net::MessageException("more than 8 answers of 100 Continue");
  }
  switch (framing->kind) {
    case BodyFraming::Kind::kNone:
      return std::make_unique<Poco::Net::HTTPFixedLengthInputStream>(session, 0);
    case BodyFraming::Kind::kLength:
      return std::make_unique<Poco::Net::HTTPFixedLengthInputStream>(
          session, static_cast<Poco::Net::HTTPFixedLengthStreamBuf::ContentLength>(framing->length));
    case BodyFraming::Kind::kChunked:
      return std::make_unique<Poco::Net::HTTPChunkedInputStream>(session);
    case BodyFraming::Kind::kToEnd:
      break;
  }
  return std::make_unique<Poco::Net::HTTPInputStream>(session);
}

Status ReadBody(std::istream& in, std::optional<std::uint64_t> length, std::size_t max_body_bytes,
                std::string* body) {
  body->clear();
  if (length && *length > max_body_bytes) return TooLarge(max_body_bytes);
  if (length) {
    // Known length (checked against the cap above): read straight into the
    // body, so no staging buffer holds a copy of it to wipe.
    body->resize(static_cast<std::size_t>(*length));
    in.read(body->data(), static_cast<std::streamsize>(*length));
    body->resize(static_cast<std::size_t>(in.gcount()));
  } else {
    std::array<char, 16384> chunk;
    std::size_t chunk_used = 0;  // how much of `chunk` ever held body bytes: wiped below
    while (in) {
      // One byte past the cap tells a body of exactly the cap from a larger one.
      const std::size_t room = max_body_bytes + 1 - body->size();
      in.read(chunk.data(), static_cast<std::streamsize>(std::min(room, chunk.size())));
      const auto got = static_cast<std::size_t>(in.gcount());
      chunk_used = std::max(chunk_used, got);
      AppendWiping(*body, chunk.data(), got);
      if (body->size() > max_body_bytes) break;
    }
    OPENSSL_cleanse(chunk.data(), chunk_used);
  }
  if (body->size() > max_body_bytes) return TooLarge(max_body_bytes);
  if (in.bad()) return Status(codes::kHttpReadData, ErrorClass::kTransient, "the response body could not be read");
  if (length && body->size() != *length) {
    return Status(codes::kHttpReadData, ErrorClass::kTransient,
                  "the connection ended after " + std::to_string(body->size()) + " of " + std::to_string(*length) +
                      " body bytes");
  }
  return Status::Ok();
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
