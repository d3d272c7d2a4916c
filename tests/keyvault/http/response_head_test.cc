// ReadResponseHead and ParseResponseHead over bytes a peer chose: what a
// Key Vault answer looks like, every framing RFC 9112 §6.3 gives an answer,
// the oddities a user agent must accept, and heads that must be refused
// with kHttpReadData (and a text that shows the peer's bytes escaped).
#include "keyvault/http/response_head.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/error_codes.h"

namespace geoekm {
namespace {

using Kind = BodyFraming::Kind;

// Bytes handed out one at a time, as the session hands them; -1 at the end.
struct ByteSource {
  std::string bytes;
  std::size_t taken = 0;
  int operator()() { return taken < bytes.size() ? static_cast<unsigned char>(bytes[taken++]) : -1; }
};

struct Parsed {
  Status status;
  HttpResponse response;
  BodyFraming framing;
};

Parsed Parse(const std::string& head) {
  Parsed p;
  p.status = ParseResponseHead(head, &p.response, &p.framing);
  return p;
}

std::string Head(const std::string& status_line, const std::vector<std::string>& fields) {
  std::string head = status_line + "\r\n";
  for (const auto& f : fields) head += f + "\r\n";
  return head + "\r\n";
}

TEST(ResponseHead, AKeyVaultAnswerIsReadWithItsFieldsInOrderAndItsLength) {
  const std::string head = Head("HTTP/1.1 200 OK", {"Cache-Control: no-cache", "Content-Length: 412",
                                                    "Content-Type: application/json; charset=utf-8",
                                                    "x-ms-request-id:   0f0e6a43-7c3c-4f2a-9a0d-3b0b8f2f2b0a  ",
                                                    "x-ms-keyvault-region: eastus"});
  Parsed p = Parse(head);
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.response.status, 200);
  EXPECT_EQ(p.response.reason, "OK");
  ASSERT_EQ(p.response.headers.size(), 5u);
  EXPECT_EQ(p.response.headers[0], (std::pair<std::string, std::string>{"Cache-Control", "no-cache"}));
  EXPECT_EQ(p.response.header("X-MS-REQUEST-ID"), "0f0e6a43-7c3c-4f2a-9a0d-3b0b8f2f2b0a");  // trimmed
  EXPECT_EQ(p.response.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(p.framing.kind, Kind::kLength);
  EXPECT_EQ(p.framing.length, 412u);
  EXPECT_EQ(p.framing.known_length(), 412u);
  EXPECT_TRUE(p.framing.keep_alive);
}

TEST(ResponseHead, EveryFramingOfAnAnswerIsTheOneRfc9112Gives) {
  struct Case {
    std::string status_line;
    std::vector<std::string> fields;
    Kind kind;
    std::uint64_t length;
    bool keep_alive;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 204 No Content", {"Content-Length: 10"}, Kind::kNone, 0, true},  // no body whatever it says
      {"HTTP/1.1 304 Not Modified", {}, Kind::kNone, 0, true},
      {"HTTP/1.1 103 Early Hints", {"Link: </a>"}, Kind::kNone, 0, true},
      {"HTTP/1.1 200 OK", {"Transfer-Encoding: chunked"}, Kind::kChunked, 0, true},
      {"HTTP/1.1 200 OK", {"transfer-encoding: gzip, CHUNKED"}, Kind::kChunked, 0, true},
      {"HTTP/1.1 200 OK", {"Transfer-Encoding: gzip", "Transfer-Encoding: chunked"}, Kind::kChunked, 0, true},
      {"HTTP/1.1 200 OK", {"Transfer-Encoding: chunked, gzip"}, Kind::kToEnd, 0, false},
      {"HTTP/1.1 200 OK", {}, Kind::kToEnd, 0, false},
      {"HTTP/1.1 200 OK", {"Content-Length: 0"}, Kind::kLength, 0, true},
      {"HTTP/1.1 200 OK", {"Content-Length: 42, 42", "Content-Length: 42"}, Kind::kLength, 42, true},
      {"HTTP/1.1 200 OK", {"Content-Length: 5", "Connection: Close"}, Kind::kLength, 5, false},
      {"HTTP/1.1 200 OK", {"Content-Length: 5", "Connection: upgrade, close"}, Kind::kLength, 5, false},
      {"HTTP/1.1 200 OK", {"Content-Length: 5", "Connection: closed"}, Kind::kLength, 5, true},  // not the token
      {"HTTP/1.0 200 OK", {"Content-Length: 5"}, Kind::kLength, 5, false},
      {"HTTP/1.0 200 OK", {"Content-Length: 5", "Connection: Keep-Alive"}, Kind::kLength, 5, true},
      {"HTTP/1.1 500 Internal Server Error", {"Content-Length: 999999999999999999"}, Kind::kLength,
       999999999999999999u, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status_line + " / " + (c.fields.empty() ? "" : c.fields[0]));
    Parsed p = Parse(Head(c.status_line, c.fields));
    ASSERT_TRUE(p.status.ok()) << p.status.ToString();
    EXPECT_EQ(p.framing.kind, c.kind);
    EXPECT_EQ(p.framing.length, c.length);
    EXPECT_EQ(p.framing.keep_alive, c.keep_alive);
  }
}

TEST(ResponseHead, WhatAUserAgentMustAcceptIsAccepted) {
  // Bare LF line ends, a folded line (joined with one space), obs-text and
  // UTF-8 in a value, an empty value, tabs around a value, no reason phrase.
  Parsed p = Parse("HTTP/1.1 401\nWWW-Authenticate: Bearer authorization=\"https://login\",\n"
                   " \t resource=\"https://vault.azure.net\"\nX-Empty:\nX-Text:\t caf\xc3\xa9 \xff\t\n"
                   "Content-Length: 0\n\n");
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.response.status, 401);
  EXPECT_EQ(p.response.reason, "");
  EXPECT_EQ(p.response.header("WWW-Authenticate"),
            "Bearer authorization=\"https://login\", resource=\"https://vault.azure.net\"");
  ASSERT_EQ(p.response.headers.size(), 4u);
  EXPECT_EQ(p.response.headers[1], (std::pair<std::string, std::string>{"X-Empty", ""}));
  EXPECT_EQ(p.response.header("X-Text"), "caf\xc3\xa9 \xff");
  EXPECT_EQ(p.framing.kind, Kind::kLength);

  Parsed spaced = Parse("HTTP/1.1 429 \r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(spaced.status.ok()) << spaced.status.ToString();
  EXPECT_EQ(spaced.response.status, 429);
  EXPECT_EQ(spaced.response.reason, "");
}

TEST(ResponseHead, MalformedHeadsAreRefusedWithTheReadErrorCode) {
  std::vector<std::string> fields100;
  for (int i = 0; i <= 100; ++i) fields100.push_back("X-" + std::to_string(i) + ": v");
  const std::vector<std::string> refused = {
      "",
      "\r\n",
      Head("HTTP/2 200 OK", {}),
      Head("HTTPS/1.1 200 OK", {}),
      Head("HTTP/1.1 20 OK", {}),
      Head("HTTP/1.1 2000 OK", {}),
      Head("HTTP/1.1 099 Low", {}),
      Head("HTTP/1.1 200OK", {}),
      Head("HTTP/1.1  200 OK", {}),
      Head("http/1.1 200 OK", {}),
      Head("HTTP/1.1 200 O\x01K", {}),
      Head("HTTP/1.1 200 OK", {"Content-Length : 5"}),  // space before the colon
      Head("HTTP/1.1 200 OK", {"No colon here"}),
      Head("HTTP/1.1 200 OK", {": no name"}),
      Head("HTTP/1.1 200 OK", {"Bad(Name): v"}),
      Head("HTTP/1.1 200 OK", {std::string("X-Nul: a\0b", 10)}),
      Head("HTTP/1.1 200 OK", {"X-Cr: a\rb"}),
      Head("HTTP/1.1 200 OK", {"X-Del: a\x7f"}),
      Head("HTTP/1.1 200 OK", {" folded: first"}),
      Head("HTTP/1.1 200 OK", {"Content-Length: 12a"}),
      Head("HTTP/1.1 200 OK", {"Content-Length: -1"}),
      Head("HTTP/1.1 200 OK", {"Content-Length: +5"}),
      Head("HTTP/1.1 200 OK", {"Content-Length: 1234567890123456789"}),  // 19 digits
      Head("HTTP/1.1 200 OK", {"Content-Length: 5, 6"}),
      Head("HTTP/1.1 200 OK", {"Content-Length: 5", "Content-Length: 6"}),
      Head("HTTP/1.1 200 OK", {"Content-Length:"}),
      Head("HTTP/1.1 200 OK", {"Content-Length: 5", "Transfer-Encoding: chunked"}),  // smuggling
      Head("HTTP/1.0 200 OK", {"Transfer-Encoding: chunked"}),
      Head("HTTP/1.1 200 OK", fields100),
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n",              // no empty line
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nextra",     // bytes after it
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\r\n",      // two empty lines
  };
  for (const std::string& head : refused) {
    SCOPED_TRACE(head);
    Parsed p = Parse(head);
    ASSERT_FALSE(p.status.ok());
    EXPECT_EQ(p.status.code(), codes::kHttpReadData);
    EXPECT_EQ(p.status.error_class(), ErrorClass::kTransient);
  }
  // 100 fields are allowed, 101 are not (above).
  fields100.pop_back();
  EXPECT_TRUE(Parse(Head("HTTP/1.1 200 OK", fields100)).status.ok());
}

TEST(ResponseHead, ARefusalShowsThePeersBytesEscaped) {
  Parsed p = Parse(Head("HTTP/1.1 2x0 \x1b[2J\x1b[Hforged", {}));
  ASSERT_FALSE(p.status.ok());
  EXPECT_NE(p.status.message().find("\\x1b[2J"), std::string::npos) << p.status.message();
  EXPECT_EQ(p.status.message().find('\x1b'), std::string::npos);
}

TEST(ResponseHead, ReadingStopsRightAfterTheEmptyLineAndLeavesTheBody) {
  for (const std::string& end : {std::string("\r\n\r\n"), std::string("\n\n"), std::string("\r\n\n")}) {
    ByteSource source{"HTTP/1.1 200 OK\r\nContent-Length: 4" + end + "body"};
    std::string head;
    ASSERT_TRUE(ReadResponseHead(source, &head).ok());
    EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nContent-Length: 4" + end);
    EXPECT_EQ(source.bytes.substr(source.taken), "body");
  }
  // 0xFF is a byte, not the end (Poco's HTTPSession::get() confuses them).
  ByteSource source{"HTTP/1.1 200 OK\r\nX-Text: \xff\xff\r\n\r\n"};
  std::string head;
  ASSERT_TRUE(ReadResponseHead(source, &head).ok());
  EXPECT_EQ(head, source.bytes);
}

TEST(ResponseHead, AConnectionThatEndsOrNeverStopsIsRefused) {
  std::string head;
  ByteSource nothing{""};
  Status none = ReadResponseHead(nothing, &head);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.code(), codes::kHttpReadData);
  EXPECT_NE(none.message().find("before an answer"), std::string::npos) << none.message();

  ByteSource cut{"HTTP/1.1 200 OK\r\nContent-Le"};
  Status ended = ReadResponseHead(cut, &head);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.code(), codes::kHttpReadData);
  EXPECT_NE(ended.message().find("after 27 bytes"), std::string::npos) << ended.message();

  // An endless head: reading stops at the cap, not a byte later.
  std::size_t served = 0;
  auto endless = [&served] {
    ++served;
    return served == 1 ? 'H' : (served % 100 == 0 ? '\n' : 'a');
  };
  Status long_head = ReadResponseHead(endless, &head);
  ASSERT_FALSE(long_head.ok());
  EXPECT_EQ(long_head.code(), codes::kHttpReadData);
  EXPECT_EQ(served, kMaxResponseHeadBytes);
  EXPECT_EQ(head.size(), kMaxResponseHeadBytes);
}

TEST(ResponseHead, ASocketFailurePassesThroughAsItself) {
  int served = 0;
  auto failing = [&served]() -> int {
    if (++served > 5) throw std::runtime_error("socket timed out");
    return 'H';
  };
  std::string head;
  EXPECT_THROW((void)ReadResponseHead(failing, &head), std::runtime_error);
}

}  // namespace
}  // namespace geoekm
