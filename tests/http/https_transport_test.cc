// HttpsTransport against a real vaultsim vault over TLS on loopback: the
// vault answers unauthenticated requests with 401 + WWW-Authenticate, which
// is all the transport needs. Faults come from the vault's admin API.
#include "vault_router/http/https_transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error_codes.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"

namespace geoekm {
namespace {

class HttpsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto tb = testing::Testbed::Start();
    ASSERT_TRUE(tb.ok()) << tb.status().ToString();
    testbed_ = std::move(tb).value().release();
  }
  static void TearDownTestSuite() {
    delete testbed_;
    testbed_ = nullptr;
  }
  void TearDown() override { Admin().ClearFaults(); }

  static const testing::TestbedVaultInfo& East() { return testbed_->info().Vault("eastus"); }
  static testing::VaultSimAdminClient Admin() {
    return testing::VaultSimAdminClient(East().host, East().admin_port, testbed_->info().ca_bundle,
                                        East().admin_token);
  }
  static HttpsOrigin EastOrigin() {
    HttpsOrigin o;
    o.host = East().host;
    o.port = East().port;
    o.connect_to_host = "127.0.0.1";
    o.connect_to_port = East().port;
    o.ca_bundle = testbed_->info().ca_bundle;
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

  static testing::Testbed* testbed_;
};
testing::Testbed* HttpsTransportTest::testbed_ = nullptr;

TEST_F(HttpsTransportTest, ConnectToKeepsTlsVerificationOnTheOriginHost) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->header("www-authenticate").find("Bearer"), std::string_view::npos);
  EXPECT_EQ(r->header("X-MS-KEYVAULT-REGION"), "eastus");  // case-insensitive lookup
}

TEST_F(HttpsTransportTest, WrongCaIsATlsFailure) {
  HttpsOrigin o = EastOrigin();
  o.ca_bundle = "";  // the system store does not know the testbed CA
  auto t = HttpsTransport::Create(o);
  ASSERT_TRUE(t.ok());
  auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kTlsFailure) << r.status().ToString();
}

TEST_F(HttpsTransportTest, HostNameNotInCertificateIsATlsFailure) {
  HttpsOrigin o = EastOrigin();
  o.host = "geoekm-impostor.vault.test";  // same server, a name its certificate does not carry
  auto t = HttpsTransport::Create(o);
  ASSERT_TRUE(t.ok());
  auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kTlsFailure) << r.status().ToString();
}

TEST_F(HttpsTransportTest, UnknownHostIs3900AndRefusedPortIs3004) {
  HttpsOrigin o = EastOrigin();
  o.connect_to_host.clear();
  o.connect_to_port = 0;
  o.host = "no-such-vault.invalid";
  auto t = HttpsTransport::Create(o);
  ASSERT_TRUE(t.ok());
  auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kVaultNameNotResolved) << r.status().ToString();

  HttpsOrigin refused = EastOrigin();
  refused.connect_to_port = 1;  // nothing listens there
  auto t2 = HttpsTransport::Create(refused);
  ASSERT_TRUE(t2.ok());
  auto r2 = (*t2)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), codes::kHttpConnectSession) << r2.status().ToString();
  EXPECT_EQ(r2.status().error_class(), ErrorClass::kTransient);
}

TEST_F(HttpsTransportTest, KeepAliveReusesOneConnection) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 50; ++i) {
    auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  EXPECT_EQ((*t)->stats().connections_opened, 1u);
  EXPECT_EQ((*t)->stats().requests_sent, 50u);
}

TEST_F(HttpsTransportTest, ConcurrentSendersShareABoundedPool) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 8; ++th) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
        if (!r.ok() || r->status != 401) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE((*t)->stats().connections_opened, 8u);
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
  EXPECT_LT(took, std::chrono::seconds(4));  // generous: the deadline was 0.8 s, the try timeout 5 s
}

TEST_F(HttpsTransportTest, ServerThatClosedAnIdleConnectionIsRetriedTransparently) {
  auto t = HttpsTransport::Create(EastOrigin());
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10))).ok());
  // Restarting the vault process closes every connection it had.
  ASSERT_TRUE(testbed_->KillVault("eastus").ok());
  ASSERT_TRUE(testbed_->StartVault("eastus").ok());
  auto r = (*t)->Send(GetKey(), Deadline::After(std::chrono::seconds(10)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ((*t)->stats().connections_opened, 2u);
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
