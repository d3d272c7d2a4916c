// HttpsTransport against a real vaultsim vault over TLS on loopback: the
// vault answers unauthenticated requests with 401 + WWW-Authenticate, which
// is all the transport needs. Faults come from the vault's admin API.
#include "keyvault/http/https_transport.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "core/error_codes.h"
#include "tests/keyvault/http/connect_proxy.h"
#include "tests/support/vaultsim_admin_client.h"
#include "tests/support/vaultsim_process.h"

namespace geoekm {
namespace {

class HttpsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vault_ = testing::VaultSimProcess::Start(testing::VaultSimOptions{}).release();
    ASSERT_NE(vault_, nullptr) << testing::VaultSimProcess::last_error();
  }
  static void TearDownTestSuite() {
    delete vault_;
    vault_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(vault_, nullptr); }
  void TearDown() override { Admin().ClearFaults(); }

  struct VaultAddress {
    std::string host;
    int port;
  };
  static VaultAddress East() { return VaultAddress{vault_->host(), vault_->port()}; }
  static testing::VaultSimAdminClient Admin() { return vault_->Admin(); }
  static HttpsOrigin EastOrigin() {
    HttpsOrigin o;
    o.host = East().host;
    o.port = East().port;
    o.connect_to_host = "127.0.0.1";
    o.connect_to_port = East().port;
    o.ca_bundle = vault_->pki().ca();
    o.proxy = "none";
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.try_timeout = std::chrono::milliseconds(5000);
    return o;
  }
  static HttpRequest GetKey() {
    HttpRequest r;
    r.method = "GET";
    r.target = "/keys/tde-protector?api-version=7.4";
    r.headers = {{"Accept", "application/json"}};
    return r;
  }
  // One GET of the key through `t`, allowed 10 s.
  static Result<HttpResponse> GetKeyVia(HttpsTransport& t) {
    return t.Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
  }
  // One GET of the key through a fresh transport for `o`, which must be created.
  static Result<HttpResponse> GetKeyThrough(const HttpsOrigin& o) {
    auto t = HttpsTransport::Create(o);
    if (!t.ok()) {
      ADD_FAILURE() << "transport not created: " << t.status().ToString();
      return t.status();
    }
    return GetKeyVia(**t);
  }
  // GetKeyThrough(o) fails with `code` and a message containing `fragment`.
  static ::testing::AssertionResult GetKeyFails(const HttpsOrigin& o, int code, const std::string& fragment = "") {
    auto r = GetKeyThrough(o);
    if (r.ok()) return ::testing::AssertionFailure() << "answered HTTP " << r->status;
    if (r.status().code() != code || r.status().message().find(fragment) == std::string::npos) {
      return ::testing::AssertionFailure() << "expected error " << code << " with '" << fragment
                                           << "': " << r.status().ToString();
    }
    return ::testing::AssertionSuccess();
  }

  static testing::VaultSimProcess* vault_;
};
testing::VaultSimProcess* HttpsTransportTest::vault_ = nullptr;

TEST_F(HttpsTransportTest, ConnectToKeepsTlsVerificationOnTheOriginHost) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = GetKeyVia(**t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->header("www-authenticate").find("Bearer"), std::string_view::npos);
  EXPECT_EQ(r->header("X-MS-KEYVAULT-REGION"), "eastus");  // case-insensitive lookup
}

TEST_F(HttpsTransportTest, WrongCaIsATlsFailure) {
  HttpsOrigin o = EastOrigin();
  o.ca_bundle = "";  // the system store does not know the testbed CA
  EXPECT_TRUE(GetKeyFails(o, codes::kTlsFailure, "certificate verification failed"));
}

TEST_F(HttpsTransportTest, HostNameNotInCertificateIsATlsFailure) {
  HttpsOrigin o = EastOrigin();
  o.host = "geoekm-impostor.vault.test";  // same server, a name its certificate does not carry
  EXPECT_TRUE(GetKeyFails(o, codes::kTlsFailure, "certificate verification failed"));
}

TEST_F(HttpsTransportTest, UnknownHostIs3900AndRefusedPortIs3004) {
  HttpsOrigin o = EastOrigin();
  o.connect_to_host.clear();
  o.connect_to_port = 0;
  o.host = "no-such-vault.invalid";
  EXPECT_TRUE(GetKeyFails(o, codes::kVaultNameNotResolved));

  HttpsOrigin refused = EastOrigin();
  refused.connect_to_port = 1;  // nothing listens there
  auto r2 = GetKeyThrough(refused);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), codes::kHttpConnectSession) << r2.status().ToString();
  EXPECT_EQ(r2.status().error_class(), ErrorClass::kTransient);
}

// A peer that goes away in the middle of the handshake (a vault process
// dying, a load balancer dropping the flow) is a network failure (3004), not
// a TLS failure: 5002's message sends the operator to certificates and CA
// bundles, which are fine. A peer that answers with something other than TLS
// stays 5002.
TEST_F(HttpsTransportTest, PeerDroppingTheHandshakeIs3004AndANonTlsPeerIs5002) {
  for (const bool reset : {true, false}) {
    Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
    std::thread drop([&] {
      Poco::Net::StreamSocket peer = listener.acceptConnection();
      char hello[64];
      (void)peer.receiveBytes(hello, sizeof hello);  // part of the ClientHello
      if (reset) peer.setLinger(true, 0);             // RST instead of FIN
      peer.close();
    });
    HttpsOrigin o = EastOrigin();
    o.connect_to_port = listener.address().port();
    auto r = GetKeyThrough(o);
    drop.join();
    ASSERT_FALSE(r.ok()) << (reset ? "reset" : "closed");
    EXPECT_EQ(r.status().code(), codes::kHttpConnectSession) << (reset ? "reset: " : "closed: ")
                                                             << r.status().ToString();
    EXPECT_EQ(r.status().error_class(), ErrorClass::kTransient);
  }

  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::thread plain_http([&] {
    Poco::Net::StreamSocket peer = listener.acceptConnection();
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    peer.sendBytes(answer.data(), static_cast<int>(answer.size()));
    peer.shutdownSend();
    try {
      char rest[256];
      while (peer.receiveBytes(rest, sizeof rest) > 0) {
      }
    } catch (const Poco::Exception&) {  // the client may reset once it gives up
    }
  });
  HttpsOrigin o = EastOrigin();
  o.connect_to_port = listener.address().port();
  EXPECT_TRUE(GetKeyFails(o, codes::kTlsFailure, "TLS handshake"));
  plain_http.join();
}

TEST_F(HttpsTransportTest, KeepAliveReusesOneConnection) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  const std::int64_t accepted_before = Admin().ConnectionsAccepted();
  ASSERT_GE(accepted_before, 0);
  for (int i = 0; i < 100; ++i) {
    auto r = GetKeyVia(**t);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 401);
  }
  EXPECT_EQ(Admin().ConnectionsAccepted() - accepted_before, 1);  // as the vault saw it
  EXPECT_EQ((*t)->stats().connections_opened, 1u);
  EXPECT_EQ((*t)->stats().requests_sent, 100u);
  EXPECT_EQ((*t)->stats().stale_retries, 0u);
  // The connection's socket timeouts are set once, not twice per request.
  EXPECT_LE((*t)->stats().socket_timeouts_set, 4u);
  EXPECT_GE((*t)->stats().socket_timeouts_set, 2u);
}

TEST_F(HttpsTransportTest, ConcurrentSendersShareABoundedPool) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  const std::int64_t accepted_before = Admin().ConnectionsAccepted();
  for (int th = 0; th < 16; ++th) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto r = GetKeyVia(**t);
        if (!r.ok() || r->status != 401) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE((*t)->stats().connections_opened, 16u);  // never more than senders at once
  EXPECT_EQ((*t)->stats().requests_sent, 1600u);
  EXPECT_EQ(Admin().ConnectionsAccepted() - accepted_before,
            static_cast<std::int64_t>((*t)->stats().connections_opened));
}

TEST_F(HttpsTransportTest, BlackholeEndsAtTheDeadline) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(Admin().SetBlackhole(true));
  auto start = Clock::now();
  auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::milliseconds(800)));
  auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kDeadlineExceeded) << r.status().ToString();
  EXPECT_EQ(r.status().error_class(), ErrorClass::kTransient);
  EXPECT_GE(took, std::chrono::milliseconds(790));
  EXPECT_LT(took, std::chrono::milliseconds(1500));  // generous: the deadline was 0.8 s, the try timeout 5 s
}

TEST_F(HttpsTransportTest, SlowAnswerEndsAtTheTryTimeoutAndIsNotRetried) {
  HttpsOrigin o = EastOrigin();
  o.try_timeout = std::chrono::milliseconds(300);
  auto t = HttpsTransport::Create(o);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(GetKeyVia(**t).ok());  // pools a connection
  ASSERT_TRUE(Admin().SetLatency(2000));
  auto start = Clock::now();
  auto r = GetKeyVia(**t);
  auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kHttpReadData) << r.status().ToString();
  EXPECT_EQ(r.status().error_class(), ErrorClass::kTransient);
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  EXPECT_EQ((*t)->stats().stale_retries, 0u);  // the vault got the request: not a stale connection
}

// A repeatable request (GET) reuses a pooled connection without looking for
// a server-side close first: if the server closed it, the request is sent
// again once on a fresh connection. A request that may not be repeated
// (POST) looks first, and never uses the closed connection.
TEST_F(HttpsTransportTest, ServerThatClosedAnIdleConnectionIsRetriedTransparently) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(GetKeyVia(**t).ok());
  // Restarting the vault process closes every connection it had.
  vault_->Kill();
  ASSERT_TRUE(vault_->Restart()) << testing::VaultSimProcess::last_error();
  auto r = GetKeyVia(**t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ((*t)->stats().connections_opened, 2u);
  EXPECT_EQ((*t)->stats().stale_retries, 1u);  // used, found closed, sent again

  HttpRequest post;
  post.method = "POST";
  post.target = "/keys/tde-protector/v1/unwrapkey?api-version=7.4";
  post.headers = {{"Content-Type", "application/json"}};
  post.body = R"({"alg":"RSA-OAEP-256","value":"AAAA"})";
  vault_->Kill();
  ASSERT_TRUE(vault_->Restart()) << testing::VaultSimProcess::last_error();
  auto once = (*t)->Send(post, Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(once.ok()) << once.status().ToString();
  EXPECT_EQ(once->status, 401);
  EXPECT_EQ((*t)->stats().connections_opened, 3u);
  EXPECT_EQ((*t)->stats().stale_retries, 1u);  // the closed connection was seen before it was used
}

// The vault resets one request with RST before answering, on a connection
// that was already pooled: a GET is sent again once on a fresh connection.
TEST_F(HttpsTransportTest, ResetPooledConnectionIsRetriedOnceForGetAndIdempotentOnly) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(GetKeyVia(**t).ok());

  ASSERT_TRUE(Admin().SetReset(1.0, {}, 1));
  auto get = GetKeyVia(**t);
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(get->status, 401);
  EXPECT_EQ((*t)->stats().stale_retries, 1u);
  EXPECT_EQ((*t)->stats().connections_opened, 2u);

  HttpRequest post;
  post.method = "POST";
  post.target = "/keys/tde-protector/v1/unwrapkey?api-version=7.4";
  post.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer secret-token-value"}};
  post.body = R"({"alg":"RSA-OAEP-256","value":"secret-body-value"})";
  ASSERT_TRUE(Admin().SetReset(1.0, {}, 1));
  auto once = (*t)->Send(post, Deadline::After(std::chrono::seconds(10)));
  ASSERT_FALSE(once.ok());
  EXPECT_EQ(once.status().code(), codes::kHttpReadData) << once.status().ToString();
  EXPECT_EQ(once.status().message().find("secret"), std::string::npos) << once.status().ToString();
  EXPECT_EQ((*t)->stats().stale_retries, 1u);  // not repeated

  ASSERT_TRUE(GetKeyVia(**t).ok());  // pool one again
  ASSERT_TRUE(Admin().SetReset(1.0, {}, 1));
  auto idempotent = (*t)->Send(post, Deadline::After(std::chrono::seconds(10)), /*idempotent=*/true);
  ASSERT_TRUE(idempotent.ok()) << idempotent.status().ToString();
  EXPECT_EQ(idempotent->status, 401);
  EXPECT_EQ((*t)->stats().stale_retries, 2u);
}

TEST_F(HttpsTransportTest, ExplicitProxyTunnelsWithVerifiedTlsAndKeepAlive) {
  testing::ConnectProxy proxy(East().port, East().host);
  HttpsOrigin o = EastOrigin();
  o.connect_to_host.clear();  // only the proxy knows where the vault name goes
  o.connect_to_port = 0;
  o.proxy = proxy.url();
  auto t = HttpsTransport::Create(o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  for (int i = 0; i < 5; ++i) {
    auto r = GetKeyVia(**t);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 401);
  }
  EXPECT_EQ((*t)->stats().connections_opened, 1u);
  EXPECT_EQ(proxy.targets(), std::vector<std::string>{East().host + ":" + std::to_string(East().port)});

  // Through the proxy the certificate is still checked against the origin.
  o.ca_bundle = "";
  EXPECT_TRUE(GetKeyFails(o, codes::kTlsFailure));
}

TEST_F(HttpsTransportTest, ProxyRefusingTheTunnelIs3004) {
  testing::ConnectProxy proxy(East().port, "only-this-host.vault.test");
  HttpsOrigin o = EastOrigin();
  o.connect_to_host.clear();
  o.connect_to_port = 0;
  o.proxy = "127.0.0.1:" + std::to_string(proxy.port());  // host:port form
  EXPECT_TRUE(GetKeyFails(o, codes::kHttpConnectSession, "403"));
}

// HTTPS_PROXY is used when the origin sets no proxy; NO_PROXY exempts hosts
// (then the vault name, which resolves nowhere here, fails with 3900).
TEST_F(HttpsTransportTest, ProxyFromEnvironmentHonoursNoProxy) {
  testing::ConnectProxy proxy(East().port, East().host);
  HttpsOrigin o = EastOrigin();
  o.connect_to_host.clear();
  o.connect_to_port = 0;
  o.proxy.clear();
  ::setenv("HTTPS_PROXY", proxy.url().c_str(), 1);
  ::setenv("NO_PROXY", "localhost, .other.test", 1);
  auto via_proxy = HttpsTransport::Create(o);
  ::setenv("NO_PROXY", "localhost,.vault.test", 1);
  auto direct = HttpsTransport::Create(o);
  ::unsetenv("HTTPS_PROXY");
  ::unsetenv("NO_PROXY");
  ASSERT_TRUE(via_proxy.ok());
  ASSERT_TRUE(direct.ok());

  auto r = GetKeyVia(**via_proxy);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(proxy.targets().size(), 1u);

  auto d = GetKeyVia(**direct);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), codes::kVaultNameNotResolved) << d.status().ToString();
  EXPECT_EQ(proxy.targets().size(), 1u);
}

TEST(HttpsTransportOrigin, RejectsBadOriginAndProxy) {
  HttpsOrigin o;
  EXPECT_FALSE(HttpsTransport::Create(o).ok());
  o.host = "v.vault.test";
  o.port = 443;
  o.proxy = "http://:";
  EXPECT_FALSE(HttpsTransport::Create(o).ok());
}

}  // namespace
}  // namespace geoekm
