// Admin-injected faults, throttling and stats of a real vaultsim vault.
#include <chrono>

#include "tests/vaultsim/service/vaultsim_test_env.h"

namespace geoekm::testing {
namespace {

using Clock = std::chrono::steady_clock;

class FaultsTest : public SharedVaultTest {
 protected:
  void TearDown() override {
    if (vault_) {
      EXPECT_TRUE(vault_->Admin().ClearFaults());
    }
  }
  const std::string kWrap = R"({"alg":"RSA-OAEP-256","value":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})";
};

TEST_F(FaultsTest, LatencyIsAddedOnlyToTargetedOperations) {
  CreateKey("slow-key");
  VaultSimAdminClient admin = vault_->Admin();
  ASSERT_TRUE(admin.SetLatency(300, 50, {"wrapkey"}));
  auto t0 = Clock::now();
  ASSERT_EQ(Call("POST", "/keys/slow-key//wrapkey", kWrap).status, 200);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(300));
  t0 = Clock::now();
  ASSERT_EQ(Call("GET", "/keys/slow-key").status, 200);
  EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(300));  // generous: no latency on get
  Poco::JSON::Object::Ptr faults = admin.Stats()->getObject("faults");
  ASSERT_TRUE(faults->getObject("latency"));
  EXPECT_EQ(faults->getObject("latency")->getValue<int>("fixed_ms"), 300);
}

TEST_F(FaultsTest, ErrorStatusWithCountAndRate) {
  CreateKey("flaky-key");
  VaultSimAdminClient admin = vault_->Admin();
  ASSERT_TRUE(admin.SetErrorRate(503, 1.0, {"unwrapkey", "get"}, 2));
  TestResponse r = Call("GET", "/keys/flaky-key");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.ErrorCode(), "ServiceUnavailable");
  EXPECT_FALSE(r.Header("x-ms-request-id").empty());
  EXPECT_EQ(Call("GET", "/keys/flaky-key").status, 503);
  EXPECT_EQ(Call("GET", "/keys/flaky-key").status, 200);  // count exhausted

  ASSERT_TRUE(admin.SetErrorRate(500, 0.3));
  int errors = 0;
  for (int i = 0; i < 100; ++i) errors += Call("GET", "/keys/flaky-key").status == 500 ? 1 : 0;
  EXPECT_GT(errors, 10);
  EXPECT_LT(errors, 55);
  ASSERT_TRUE(admin.ClearFaults());
  EXPECT_EQ(Call("GET", "/keys/flaky-key").status, 200);
}

TEST_F(FaultsTest, AnswerReplacesOnlySuccessfulBodiesAndCountsThem) {
  CreateKey("garbled-key");
  VaultSimAdminClient admin = vault_->Admin();
  ASSERT_TRUE(admin.SetFaults(R"({"answer":{"body":"{\"key\":{\"key_ops\":[null]}}","operations":["get"],"count":1}})"))
      << admin.last_response().body;
  // A refusal keeps its own body and does not use up the count.
  EXPECT_EQ(Call("GET", "/keys/no-such-key").status, 404);
  EXPECT_EQ(Call("POST", "/keys/garbled-key//wrapkey", kWrap).status, 200);  // another operation
  TestResponse garbled = Call("GET", "/keys/garbled-key");
  EXPECT_EQ(garbled.status, 200);
  EXPECT_EQ(garbled.body, R"({"key":{"key_ops":[null]}})");
  TestResponse next = Call("GET", "/keys/garbled-key");
  EXPECT_EQ(next.status, 200);
  EXPECT_NE(next.body.find("\"kty\""), std::string::npos) << next.body;  // count exhausted
  EXPECT_FALSE(admin.SetFaults(R"({"answer":{"body":42}})"));
}

TEST_F(FaultsTest, ConnectionResetDropsTheConnectionWithoutAnswer) {
  VaultSimAdminClient admin = vault_->Admin();
  ASSERT_TRUE(admin.SetReset(1.0, {}, 1));
  TestResponse r = Call("GET", "/keys/any");
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.transport_error.empty());
  EXPECT_EQ(Call("GET", "/keys/any").status, 404);  // reconnects, fault used up
  EXPECT_EQ(client_->connections_opened(), 2u);
  EXPECT_GE(admin.Stats()->getObject("statuses")->optValue<int>("none", 0), 1);
}

TEST_F(FaultsTest, BlackholeNeverAnswersUntilCleared) {
  VaultSimAdminClient admin = vault_->Admin();
  const std::int64_t gets_before = admin.RequestCount("get");
  ASSERT_TRUE(admin.SetBlackhole(true));
  client_->set_timeout(std::chrono::milliseconds(700));
  auto t0 = Clock::now();
  TestResponse r = Call("GET", "/keys/any");
  EXPECT_EQ(r.status, 0);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(600));
  EXPECT_EQ(admin.RequestCount("get"), gets_before + 1);  // the request arrived
  ASSERT_TRUE(admin.SetBlackhole(false));
  client_->set_timeout(std::chrono::seconds(10));
  EXPECT_EQ(Call("GET", "/keys/any").status, 404);
}

TEST_F(FaultsTest, ThrottleStormWithAndWithoutRetryAfter) {
  VaultSimAdminClient admin = vault_->Admin();
  ASSERT_TRUE(admin.SetThrottleStorm(true, true, 3));
  TestResponse r = Call("GET", "/keys/any");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.ErrorCode(), "Throttled");
  EXPECT_EQ(r.ErrorMessage(),
            "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached");
  EXPECT_EQ(r.Header("Retry-After"), "3");
  ASSERT_TRUE(admin.SetThrottleStorm(true, false));
  TestResponse no_header = Call("GET", "/keys/any");
  EXPECT_EQ(no_header.status, 429);
  EXPECT_EQ(no_header.headers.count("retry-after"), 0u);
  ASSERT_TRUE(admin.SetThrottleStorm(false));
  EXPECT_EQ(Call("GET", "/keys/any").status, 404);
}

TEST_F(FaultsTest, StatsCountRequestsPerOperation) {
  VaultSimAdminClient admin = vault_->Admin();
  const std::int64_t gets = admin.RequestCount("get");
  const std::int64_t creates = admin.RequestCount("create");
  CreateKey("counted");
  for (int i = 0; i < 3; ++i) Call("GET", "/keys/counted");
  EXPECT_EQ(admin.RequestCount("get"), gets + 3);
  EXPECT_EQ(admin.RequestCount("create"), creates + 1);
  Poco::JSON::Object::Ptr stats = admin.Stats();
  EXPECT_GE(stats->getObject("statuses")->optValue<int>("200", 0), 4);
  EXPECT_GE(stats->getValue<int>("connections_accepted"), 1);
  EXPECT_FALSE(admin.SetFaults(R"({"error":{"status":200}})"));
  EXPECT_EQ(admin.last_response().status, 400);
}

// Throttling needs its own vault configuration.
TEST(ThrottlingTest, WeightedBudgetWithRetryAfterAndRejectionsDoNotCount) {
  VaultSimOptions options;
  options.throttling = true;
  options.retry_after = true;
  options.window_seconds = 3;
  options.limit_scale = 0.005;  // 20 ops per window (RSA-2048 software / no key); creates: 1
  auto vault = VaultSimProcess::Start(options);
  ASSERT_TRUE(vault) << VaultSimProcess::last_error();
  TestHttpsClient c = vault->Client();
  // Throttling comes before body validation, so cheap invalid creates use
  // the create budget without RSA key generation (which could outlast the window).
  EXPECT_EQ(c.Send("POST", WithApi("/keys/t/create"), R"({"kty":"EC"})").status, 400);
  TestResponse second_create = c.Send("POST", WithApi("/keys/t2/create"), R"({"kty":"EC"})");
  EXPECT_EQ(second_create.status, 429);  // create budget: 1 per window at this scale
  int ok = 0, throttled = 0;
  std::string retry_after;
  for (int i = 0; i < 40; ++i) {
    TestResponse r = c.Send("GET", WithApi("/keys/t"));
    if (r.status == 404) ++ok;  // admitted (no such key)
    if (r.status == 429) {
      ++throttled;
      retry_after = r.Header("Retry-After");
      EXPECT_EQ(r.ErrorCode(), "Throttled");
    }
    EXPECT_TRUE(r.status == 404 || r.status == 429) << r.status;
  }
  // The window may roll over during the loop; at least the first 20 pass.
  EXPECT_GE(ok, 20);
  EXPECT_GE(throttled, 1);
  ASSERT_FALSE(retry_after.empty());
  const int seconds = std::stoi(retry_after);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 3);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  EXPECT_EQ(c.Send("GET", WithApi("/keys/t")).status, 404);  // admitted again: new window
}

TEST(ThrottlingTest, WithoutRetryAfterHeader) {
  VaultSimOptions options;
  options.throttling = true;
  options.retry_after = false;
  options.window_seconds = 30;
  options.limit_scale = 0.001;  // 4 ops per window
  auto vault = VaultSimProcess::Start(options);
  ASSERT_TRUE(vault) << VaultSimProcess::last_error();
  TestHttpsClient c = vault->Client();
  int throttled = 0;
  for (int i = 0; i < 8; ++i) {
    TestResponse r = c.Send("GET", WithApi("/keys/none"));
    if (r.status == 429) {
      ++throttled;
      EXPECT_EQ(r.headers.count("retry-after"), 0u);
    }
  }
  EXPECT_EQ(throttled, 4);
}

}  // namespace
}  // namespace geoekm::testing
