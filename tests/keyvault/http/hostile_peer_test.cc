// HttpsTransport, the proxy tunnel and the plain-HTTP exchange against
// hostile peers over real sockets on loopback (TLS for the vault side): a
// server that drips its answer one byte per 200 ms must not hold a try past
// its timeout, nor an operation past its deadline; a server that sends an
// endless body must be cut off at the cap without being read further.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "core/error_codes.h"
#include "tests/support/hostile_server.h"
#include "tests/support/test_pki_files.h"
#include "keyvault/identity/plain_http_exchange.h"
#include "keyvault/http/https_transport.h"

namespace geoekm {
namespace {

using testing::HostileServer;
using testing::ReceivedRequest;
using testing::Responder;
using namespace std::chrono_literals;

constexpr auto kDrip = 200ms;
const std::string kAnswer = HostileServer::Answer(200, "OK", R"({"value":"x"})", {{"Content-Type", "application/json"}});

HttpsOrigin OriginOf(const HostileServer& server) {
  HttpsOrigin o;
  o.host = testing::kEastUsHost;
  o.port = 443;
  o.connect_to_host = "127.0.0.1";
  o.connect_to_port = server.port();
  o.ca_bundle = testing::TestPkiFiles::Shared().ca();
  o.proxy = "none";
  o.connect_timeout = 2000ms;
  o.try_timeout = 1000ms;
  return o;
}

HttpRequest Get() {
  HttpRequest r;
  r.target = "/keys/tde?api-version=7.4";
  return r;
}

struct Timed {
  Result<HttpResponse> result;
  std::chrono::milliseconds took;
};

Timed SendTimed(HttpsTransport& t, Deadline deadline) {
  auto start = Clock::now();
  auto r = t.Send(Get(), deadline);
  return {std::move(r), std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
}

std::shared_ptr<HttpsTransport> Transport(const HttpsOrigin& o) {
  auto t = HttpsTransport::Create(o);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : nullptr;
}

// The status line and headers, one byte per 200 ms (a whole answer would
// take ~15 s): the try ends at its 1 s timeout.
TEST(HostilePeer, DrippedHeadersEndAtTheTryTimeout) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest&, Responder& r) { r.Drip(kAnswer, kDrip); });
  auto t = Transport(OriginOf(server));
  ASSERT_TRUE(t);
  auto [r, took] = SendTimed(*t, Deadline::After(10s));
  ASSERT_FALSE(r.ok()) << "answered HTTP " << r->status;
  EXPECT_EQ(r.status().code(), codes::kHttpReadData) << r.status().ToString();
  EXPECT_EQ(r.status().error_class(), ErrorClass::kTransient);
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2500ms);
}

// Headers at once, then a 64-byte body a byte at a time, against a deadline
// shorter than the try timeout: the call ends at the deadline with 5003.
TEST(HostilePeer, DrippedBodyEndsAtTheDeadline) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest&, Responder& r) {
    if (r.Write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n")) {
      r.Drip(std::string(64, ' '), kDrip);
    }
  });
  HttpsOrigin o = OriginOf(server);
  o.try_timeout = 5000ms;
  auto t = Transport(o);
  ASSERT_TRUE(t);
  auto [r, took] = SendTimed(*t, Deadline::After(1000ms));
  ASSERT_FALSE(r.ok()) << "answered HTTP " << r->status;
  EXPECT_EQ(r.status().code(), codes::kDeadlineExceeded) << r.status().ToString();
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2500ms);
}

// An HTTPS proxy that answers CONNECT a byte at a time: the connect timeout
// (1 s) bounds the tunnel.
TEST(HostilePeer, DrippedProxyAnswerEndsAtTheConnectTimeout) {
  HostileServer proxy("", [](const ReceivedRequest&, Responder& r) {
    r.Drip("HTTP/1.1 200 Connection established\r\nX-Padding: " + std::string(64, 'p') + "\r\n\r\n", kDrip);
  });
  HttpsOrigin o = OriginOf(proxy);
  o.connect_to_host.clear();
  o.connect_to_port = 0;
  o.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  o.connect_timeout = 1000ms;
  auto t = Transport(o);
  ASSERT_TRUE(t);
  auto [r, took] = SendTimed(*t, Deadline::After(10s));
  ASSERT_FALSE(r.ok()) << "answered HTTP " << r->status;
  EXPECT_EQ(r.status().code(), codes::kHttpConnectSession) << r.status().ToString();
  EXPECT_LT(took, 2500ms);
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].method, "CONNECT");
  EXPECT_EQ(proxy.requests()[0].header("User-Agent").rfind("geoekm/", 0), 0u);
}

// A managed-identity endpoint (plain HTTP) that drips its answer.
TEST(HostilePeer, DrippedImdsAnswerEndsAtTheTryTimeout) {
  HostileServer imds("", [](const ReceivedRequest&, Responder& r) { r.Drip(kAnswer, kDrip); });
  PlainHttpExchange exchange("127.0.0.1", imds.port(), 1000ms, 1000ms);
  HttpRequest request;
  request.target = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net";
  auto start = Clock::now();
  auto r = exchange.Send(request, Deadline::After(10s));
  auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok()) << "answered HTTP " << r->status;
  EXPECT_EQ(r.status().code(), codes::kHttpReadData) << r.status().ToString();
  EXPECT_LT(took, 2500ms);
  ASSERT_EQ(imds.requests().size(), 1u);
  EXPECT_EQ(imds.requests()[0].header("User-Agent").rfind("geoekm/", 0), 0u);
}

// 3 GB announced, or chunked without end: refused at the 4 MiB cap. The
// server manages to write only what the socket buffers take before the
// client hangs up, not gigabytes.
void ExpectFloodRefused(bool chunked) {
  const std::uint64_t huge = 3ull << 30;
  const std::string head = chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   : "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(huge) + "\r\n\r\n";
  HostileServer server(testing::kEastUsHost,
                       [&](const ReceivedRequest&, Responder& r) { r.Flood(head, huge, chunked); });
  HttpsOrigin o = OriginOf(server);
  o.try_timeout = 20000ms;
  auto t = Transport(o);
  ASSERT_TRUE(t);
  auto [r, took] = SendTimed(*t, Deadline::After(30s));
  ASSERT_FALSE(r.ok()) << "answered HTTP " << r->status << " with " << r->body.size() << " bytes";
  EXPECT_EQ(r.status().code(), codes::kHttpReadData) << r.status().ToString();
  EXPECT_NE(r.status().message().find("exceeds the limit of 4194304 bytes"), std::string::npos)
      << r.status().ToString();
  EXPECT_LT(took, 5000ms);
  // The server's writes fail once the client is gone: wait for that.
  for (int i = 0; i < 100 && server.flooded().empty(); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(server.flooded().size(), 1u);
  EXPECT_LT(server.flooded()[0], 64ull << 20) << "the client read on past the cap";
}

TEST(HostilePeer, HugeContentLengthBodyIsRefusedAtTheCap) { ExpectFloodRefused(false); }
TEST(HostilePeer, EndlessChunkedBodyIsRefusedAtTheCap) { ExpectFloodRefused(true); }

// Process exit does not wait for a thread stuck on a dripping server, even
// when a static destructor joins that thread (60 s try timeout and deadline).
TEST(HostilePeer, ProcessExitDoesNotWaitForAStuckRequest) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest&, Responder& r) { r.Drip(kAnswer, kDrip); });
  const std::string port = std::to_string(server.port());
  const std::string ca = testing::TestPkiFiles::Shared().ca();
  char* argv[] = {const_cast<char*>(GEOEKM_EXIT_PROBE), const_cast<char*>(port.c_str()),
                  const_cast<char*>(ca.c_str()), nullptr};
  pid_t pid = 0;
  auto start = Clock::now();
  ASSERT_EQ(::posix_spawn(&pid, GEOEKM_EXIT_PROBE, nullptr, nullptr, argv, environ), 0);
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && Clock::now() - start < 10s) {
    std::this_thread::sleep_for(20ms);
  }
  auto took = Clock::now() - start;
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ASSERT_EQ(done, pid) << "the process was still exiting after 10 s";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_LT(took, 3s);
  EXPECT_EQ(server.requests().size(), 1u);  // the request really was in flight
}

TEST(HostilePeer, RequestsCarryTheUserAgent) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest&, Responder& r) { r.Write(kAnswer); });
  auto t = Transport(OriginOf(server));
  ASSERT_TRUE(t);
  auto r = t->Send(Get(), Deadline::After(10s));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, R"({"value":"x"})");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].header("User-Agent"), "geoekm/" GEOEKM_TEST_VERSION);
}

// The transport frames answers itself (keyvault/http/poco_message.h,
// ReceiveHead, ReceiveBody): every framing a server may use, in turn on one
// kept-alive connection where the framing allows it — a 100 Continue before the answer,
// a chunked body, a 204 without a body — and a body that runs to the
// connection's end, after which the connection is not reused. The request
// itself goes out in one write and arrives whole.
TEST(HostilePeer, EveryFramingOfAnAnswerIsReadAndOnlyAnEndedConnectionIsReplaced) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest& req, Responder& r) {
    if (req.target == "/continue") {
      r.Write("HTTP/1.1 100 Continue\r\n\r\n" + HostileServer::Answer(200, "OK", "after continue", {}));
    } else if (req.target == "/chunked") {
      r.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n");
    } else if (req.target == "/empty") {
      r.Write("HTTP/1.1 204 No Content\r\n\r\n");
    } else if (req.target == "/to-the-end") {
      r.Write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the connection ends");
      r.Close();
    } else {
      r.Write(HostileServer::Answer(200, "OK", "echo " + req.body, {}));
    }
  });
  auto t = Transport(OriginOf(server));
  ASSERT_TRUE(t);
  auto send = [&](const std::string& target, const std::string& body = "") {
    HttpRequest req;
    req.method = body.empty() ? "GET" : "POST";
    req.target = target;
    req.body = body;
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    return t->Send(req, Deadline::After(10s), /*idempotent=*/true);
  };
  const std::string body = R"({"alg":"RSA-OAEP-256","value":")" + std::string(400, 'v') + R"("})";
  auto posted = send("/post", body);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(posted->body, "echo " + body);
  auto continued = send("/continue");
  ASSERT_TRUE(continued.ok()) << continued.status().ToString();
  EXPECT_EQ(continued->status, 200);
  EXPECT_EQ(continued->body, "after continue");
  auto chunked = send("/chunked");
  ASSERT_TRUE(chunked.ok()) << chunked.status().ToString();
  EXPECT_EQ(chunked->body, "hello, world");
  auto empty = send("/empty");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->status, 204);
  EXPECT_EQ(empty->body, "");
  EXPECT_EQ(t->stats().connections_opened, 1u);  // every answer so far framed exactly: one connection
  auto to_the_end = send("/to-the-end");
  ASSERT_TRUE(to_the_end.ok()) << to_the_end.status().ToString();
  EXPECT_EQ(to_the_end->body, "until the connection ends");
  auto after = send("/post", "{}");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->body, "echo {}");
  EXPECT_EQ(t->stats().connections_opened, 2u);  // the ended connection was replaced, once

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, body);
  EXPECT_EQ(requests[0].header("Content-Length"), std::to_string(body.size()));
  EXPECT_EQ(requests[0].header("Host"), testing::kEastUsHost);
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].header("Content-Length"), "");
}

// A head geoekm refuses (keyvault/http/response_head.h) — here both a
// Content-Length and chunking, the shape of response smuggling — fails the
// request with kHttpReadData and the reason, is not sent again as if the
// connection had gone stale, and leaves no connection behind to reuse.
TEST(HostilePeer, AnAnswerWithAmbiguousFramingIsRefusedOnceAndItsConnectionDropped) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest& req, Responder& r) {
    if (req.target == "/smuggle") {
      r.Write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    } else {
      r.Write(HostileServer::Answer(200, "OK", "fine", {}));
    }
  });
  auto t = Transport(OriginOf(server));
  ASSERT_TRUE(t);
  auto get = [&](const std::string& target) {
    HttpRequest req;
    req.target = target;
    return t->Send(req, Deadline::After(10s));
  };
  ASSERT_TRUE(get("/first").ok());
  auto refused = get("/smuggle");  // a GET on a reused connection: repeatable, were it stale
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), codes::kHttpReadData);
  EXPECT_NE(refused.status().message().find("both Transfer-Encoding and Content-Length"), std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(t->stats().stale_retries, 0u);
  auto after = get("/after");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->body, "fine");
  EXPECT_EQ(t->stats().connections_opened, 2u);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);  // the refused request went out once
  EXPECT_EQ(requests[1].target, "/smuggle");
}

// A bearer token an authority sent with a line break in it would add lines
// to the head of the request it is sent with: such a request is refused
// before a connection is even taken, and nothing reaches the server.
TEST(HostilePeer, ARequestWhoseTokenHoldsALineBreakIsNotSent) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest&, Responder& r) {
    r.Write(HostileServer::Answer(200, "OK", "fine", {}));
  });
  auto t = Transport(OriginOf(server));
  ASSERT_TRUE(t);
  HttpRequest req = Get();
  req.headers.emplace_back("Authorization", "Bearer abc\r\nX-Forged: yes");
  auto refused = t->Send(req, Deadline::After(10s));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), codes::kHttpSendRequest);
  EXPECT_NE(refused.status().message().find("Authorization"), std::string::npos) << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find("abc"), std::string::npos) << refused.status().ToString();
  EXPECT_EQ(t->stats().connections_opened, 0u);
  EXPECT_TRUE(t->Send(Get(), Deadline::After(10s)).ok());
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].header("X-Forged"), "");
}

// A body shorter than its Content-Length (the server closes mid-body) is
// read straight from the session (ReceiveBody): the request fails with
// 3019 saying how much came, nothing of it is returned, and the next
// request goes out on a new connection.
TEST(HostilePeer, ABodyCutShortOfItsLengthIsAReadErrorAndItsConnectionIsDropped) {
  HostileServer server(testing::kEastUsHost, [](const ReceivedRequest& req, Responder& r) {
    if (req.target == "/short") {
      r.Write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
      r.Close();
    } else {
      r.Write(HostileServer::Answer(200, "OK", "fine", {}));
    }
  });
  auto t = Transport(OriginOf(server));
  ASSERT_TRUE(t);
  HttpRequest cut = Get();
  cut.target = "/short";
  auto refused = t->Send(cut, Deadline::After(10s));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), codes::kHttpReadData);
  EXPECT_NE(refused.status().message().find("after 9 of 100 body bytes"), std::string::npos)
      << refused.status().ToString();
  auto after = t->Send(Get(), Deadline::After(10s));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->body, "fine");
  EXPECT_EQ(t->stats().connections_opened, 2u);
}

}  // namespace
}  // namespace geoekm
