// ResponseHead: the status line and header fields of one HTTP/1.1 answer,
// read from bytes a peer chose, and how its body is framed (RFC 9112 §4,
// §5 and §6.3; docs/ARCHITECTURE.md, "HTTP answers").
//
// Why not Poco's HTTPResponse::read: it spent 64 k of the 147 k
// instructions of a whole Key Vault unwrap (docs/PERFORMANCE.md): each
// character through an istream, each header through an RFC 2047 word
// decoder and a case-insensitive list insert. This reader scans the head
// once, in place. Poco still receives the bytes (TLS), and frames chunked
// bodies and bodies that run to the connection's end.
//
// Everything is bounded and checked before it is trusted: at most
// kMaxResponseHeadBytes of head and kMaxResponseFields fields; the status
// line must be "HTTP/1.x NNN[ reason]"; field names must be tokens with no
// space before the colon; NUL, a bare CR or another control byte in a line
// is refused; a folded line (obs-fold) is joined to its field with a space,
// as RFC 9112 §5.2 asks of a user agent; a Content-Length must be digits,
// and several must agree. A refused head is a Status (kHttpReadData,
// kTransient) whose text escapes whatever the peer sent.
//
// Thread safety: pure functions over the caller's objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "keyvault/http/http_message.h"

namespace geoekm {

inline constexpr std::size_t kMaxResponseHeadBytes = 64 * 1024;
inline constexpr std::size_t kMaxResponseFields = 100;

// How the body after a head is delimited.
struct BodyFraming {
  enum class Kind {
    kNone,     // 1xx, 204, 304: no body
    kLength,   // Content-Length: `length` bytes
    kChunked,  // Transfer-Encoding ending in chunked
    kToEnd,    // neither: the body runs to the connection's end
  };
  Kind kind = Kind::kToEnd;
  std::uint64_t length = 0;  // kLength only
  // The connection may carry another request after this answer: HTTP/1.1
  // without "Connection: close", HTTP/1.0 only with "keep-alive", and
  // never when the body runs to the connection's end.
  bool keep_alive = false;

  // The body's size when the head fixes it (0 for kNone); nullopt when the
  // body ends with the chunks or the connection.
  std::optional<std::uint64_t> known_length() const {
    if (kind == Kind::kNone) return 0;
    if (kind == Kind::kLength) return length;
    return std::nullopt;
  }
};

// Reads one head, a byte at a time from `next_byte` (an int() giving
// 0-255, or -1 at the connection's end), up to and including the empty
// line that ends it, and no further: the body stays behind. Fails without
// reading on past kMaxResponseHeadBytes; the end before the head's end is
// a failure. Exceptions next_byte throws (a socket's) pass through.
template <typename NextByte>
Status ReadResponseHead(NextByte&& next_byte, std::string* head);

// Parses a head as ReadResponseHead returns it into `out` (status, reason,
// headers; the body is left alone) and `framing`. On failure both are
// left unspecified.
Status ParseResponseHead(std::string_view head, HttpResponse* out, BodyFraming* framing);

namespace response_head_internal {
Status EndedEarly(std::size_t bytes_read);
Status TooLong();
}  // namespace response_head_internal

template <typename NextByte>
Status ReadResponseHead(NextByte&& next_byte, std::string* head) {
  head->clear();
  for (;;) {
    const int c = next_byte();
    if (c < 0) return response_head_internal::EndedEarly(head->size());
    head->push_back(static_cast<char>(c));
    const std::size_t n = head->size();
    // An empty line (CRLF, or a bare LF: RFC 9112 §2.2) after the first line.
    if (c == '\n' && n >= 2) {
      const char* end = head->data() + n;
      if (end[-2] == '\n' || (n >= 3 && end[-2] == '\r' && end[-3] == '\n')) return Status::Ok();
    }
    if (n >= kMaxResponseHeadBytes) return response_head_internal::TooLong();
  }
}

}  // namespace geoekm
