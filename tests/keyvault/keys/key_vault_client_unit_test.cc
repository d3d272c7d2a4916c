// KeyVaultClient at its unit seams: a scripted HttpsTransport and a fake
// VaultAuthenticator. Covers what a real vault does not easily produce:
// unusable 2xx bodies (per-operation parser codes), a nextLink to another
// host, the exact request shapes, the challenge/refresh sequence, and the
// retry decisions (throttled on/off, Retry-After past the deadline, no
// retry of non-idempotent calls after a 5xx).
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <mutex>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "keyvault/keys/key_vault_client.h"

namespace geoekm {
namespace {

constexpr char kHost[] = "geoekm-eastus.vault.test";
constexpr char kToken[] = "eyJfake.token.value";

HttpResponse Reply(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.headers.emplace_back("x-ms-request-id", "req-" + std::to_string(status));
  return r;
}

HttpResponse Challenge() {
  return Reply(401, R"({"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}})",
               {{"WWW-Authenticate", "Bearer authorization=\"https://login.vault.test/tenant\", resource=\"https://vault.test\""}});
}

// Answers requests from a queue of canned responses and records them.
class ScriptedTransport : public HttpsTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request, Deadline, bool) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent.push_back(request);
    if (replies.empty()) return Reply(500, "script exhausted");
    auto r = std::move(replies.front());
    replies.pop_front();
    return r;
  }
  const HttpsOrigin& origin() const override { return origin_; }
  HttpsTransportStats stats() const override { return {}; }

  std::deque<Result<HttpResponse>> replies;
  std::vector<HttpRequest> sent;

 private:
  std::mutex mu_;
  HttpsOrigin origin_;
};

// Hands out kToken after the first challenge; a rejected token bumps the
// fetch count (a refresh).
class FakeAuthenticator : public VaultAuthenticator {
 public:
  bool Challenged(const std::string&) const override { return challenged; }
  Result<SecureString> CachedOrFreshToken(const std::string&, Deadline) override {
    if (!challenged) return Status(codes::kHttpUnauthorized, ErrorClass::kAuth, "no challenge from host yet");
    return SecureString(kToken);
  }
  Result<SecureString> OnChallenge(const std::string& host, std::string_view www_authenticate,
                                   std::string_view rejected, Deadline) override {
    EXPECT_EQ(host, kHost);
    EXPECT_NE(www_authenticate.find("resource="), std::string_view::npos);
    rejected_tokens.emplace_back(rejected);
    challenged = true;
    ++fetches;
    return SecureString(kToken);
  }
  AuthStats stats() const override { return AuthStats{static_cast<std::uint64_t>(fetches), 0, 0, 0}; }

  bool challenged = false;
  int fetches = 0;
  std::vector<std::string> rejected_tokens;
};

std::string Header(const HttpRequest& r, const char* name) { return std::string(FindHeader(r.headers, name)); }

const char kBundle[] =
    R"({"key":{"kid":"https://geoekm-eastus.vault.test/keys/tde/0123456789abcdef0123456789abcdef","kty":"RSA",)"
    R"("key_ops":["wrapKey","unwrapKey"],"n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"},)"
    R"("attributes":{"enabled":true}})";
const char kVersion[] = "0123456789abcdef0123456789abcdef";

class KeyVaultClientUnitTest : public ::testing::Test {
 protected:
  KeyVaultClientUnitTest() {
    endpoint_.name = "eastus";
    endpoint_.origin.host = kHost;
    transport_ = std::make_shared<ScriptedTransport>();
    auth_ = std::make_shared<FakeAuthenticator>();
  }
  std::unique_ptr<KeyVaultClient> Make(KeyVaultClientOptions options = {}) {
    options.retry_base_delay = Millis(1);
    options.retry_max_delay = Millis(5);
    options.max_retries = 3;
    return std::make_unique<KeyVaultClient>(endpoint_, auth_, transport_, options);
  }
  static Deadline Soon() { return Deadline::After(std::chrono::seconds(10)); }

  KeyVaultEndpoint endpoint_;
  std::shared_ptr<ScriptedTransport> transport_;
  std::shared_ptr<FakeAuthenticator> auth_;
};

TEST_F(KeyVaultClientUnitTest, FirstRequestGoesWithoutTokenThenOnceWithIt) {
  auto c = Make();
  transport_->replies = {Challenge(), Reply(200, kBundle), Reply(200, kBundle)};
  ASSERT_TRUE(c->GetKey("tde", "", Soon()).ok());
  ASSERT_TRUE(c->GetKey("tde", kVersion, Soon()).ok());
  ASSERT_EQ(transport_->sent.size(), 3u);
  EXPECT_EQ(Header(transport_->sent[0], "Authorization"), "");
  EXPECT_EQ(auth_->rejected_tokens, std::vector<std::string>{""});
  for (const auto& r : transport_->sent) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(Header(r, "x-ms-client-request-id").size(), 36u);  // a GUID
  }
  EXPECT_NE(Header(transport_->sent[0], "x-ms-client-request-id"), Header(transport_->sent[1], "x-ms-client-request-id"));
  EXPECT_EQ(transport_->sent[1].target, "/keys/tde?api-version=7.4");
  EXPECT_EQ(Header(transport_->sent[1], "Authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(transport_->sent[2].target, std::string("/keys/tde/") + kVersion + "?api-version=7.4");
  EXPECT_EQ(auth_->fetches, 1);
}

TEST_F(KeyVaultClientUnitTest, A401AfterAFreshTokenFailsWith3010AndNoToken) {
  auto c = Make();
  auth_->challenged = true;  // a cached token exists
  transport_->replies = {Challenge(), Challenge(), Reply(200, kBundle)};
  auto r = c->GetKey("tde", "", Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kHttpUnauthorized);
  EXPECT_EQ(r.status().error_class(), ErrorClass::kAuth);
  EXPECT_EQ(r.status().ToString().find(kToken), std::string::npos);
  EXPECT_EQ(auth_->rejected_tokens, std::vector<std::string>{kToken});  // refreshed once, not twice
  EXPECT_EQ(transport_->sent.size(), 2u);
}

TEST_F(KeyVaultClientUnitTest, OperationsSendTheSpecShapes) {
  auto c = Make();
  auth_->challenged = true;
  SecureBytes dek = {0xff, 0xfb, 0xff};
  transport_->replies = {Reply(200, R"({"kid":"x","value":"AQAB"})"),
                         Reply(200, R"({"kid":"x","value":"__v_"})"),
                         Reply(200, R"({"value":"YmxvYg"})"),
                         Reply(200, kBundle),
                         Reply(200, kBundle)};
  auto wrapped = c->WrapKey("tde", kVersion, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(*wrapped, (Bytes{1, 0, 1}));
  auto plain = c->UnwrapKey("tde", kVersion, WrapAlgorithm::kRsa15, Bytes{1, 0, 1}, Soon());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, (SecureBytes{0xff, 0xfb, 0xff}));
  auto blob = c->BackupKey("tde", Soon());
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(*blob, "YmxvYg");
  ASSERT_TRUE(c->RotateKey("tde", Soon()).ok());
  KeyUpdateOptions update;
  update.attributes.enabled = false;
  ASSERT_TRUE(c->UpdateKey("tde", kVersion, update, Soon()).ok());

  const auto& s = transport_->sent;
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].target, std::string("/keys/tde/") + kVersion + "/wrapkey?api-version=7.4");
  EXPECT_EQ(s[0].body, R"({"alg":"RSA-OAEP-256","value":"__v_"})");  // base64url, no padding
  EXPECT_EQ(s[1].body, R"({"alg":"RSA1_5","value":"AQAB"})");
  EXPECT_EQ(s[2].method, "POST");
  EXPECT_EQ(s[2].target, "/keys/tde/backup?api-version=7.4");
  EXPECT_EQ(s[3].target, "/keys/tde/rotate?api-version=7.4");
  EXPECT_TRUE(s[3].body.empty());
  EXPECT_EQ(Header(s[3], "Content-Type"), "");  // rotate: no body, no Content-Type
  EXPECT_EQ(s[4].method, "PATCH");
  EXPECT_NE(s[4].body.find(R"("enabled":false)"), std::string::npos) << s[4].body;
  // RSA1_5 is refused for wrap before anything is sent.
  EXPECT_FALSE(c->WrapKey("tde", kVersion, WrapAlgorithm::kRsa15, dek, Soon()).ok());
  EXPECT_EQ(transport_->sent.size(), 5u);
}

TEST_F(KeyVaultClientUnitTest, UnusableBodiesGetTheOperationsParserCode) {
  auto c = Make();
  auth_->challenged = true;
  transport_->replies = {Reply(200, "{not json"), Reply(200, "{}"), Reply(200, R"({"value":"!!"})"),
                         Reply(200, R"({"value":7})")};
  EXPECT_EQ(c->GetKey("tde", "", Soon()).status().code(), codes::kGetKeyJsonParser);
  EXPECT_EQ(c->BackupKey("tde", Soon()).status().code(), codes::kBackupJsonParser);
  EXPECT_EQ(c->WrapKey("tde", kVersion, WrapAlgorithm::kRsaOaep, SecureBytes(32, 1), Soon()).status().code(),
            codes::kWrapJsonParser);
  EXPECT_EQ(c->UnwrapKey("tde", kVersion, WrapAlgorithm::kRsaOaep, Bytes(256, 1), Soon()).status().code(),
            codes::kUnwrapJsonParser);
}

TEST_F(KeyVaultClientUnitTest, ListFollowsAbsoluteNextLinkWithOurApiVersionOnly) {
  KeyVaultClientOptions options;
  options.page_size = 1;
  auto c = Make(options);
  auth_->challenged = true;
  transport_->replies = {
      Reply(200, R"({"value":[{"kid":"https://geoekm-eastus.vault.test/keys/tde/aaaa"}],)"
                 R"("nextLink":"https://geoekm-eastus.vault.test:443/keys/tde/versions?api-version=7.2&$skiptoken=eyJOZXh0&maxresults=1"})"),
      Reply(200, R"({"value":[{"kid":"https://geoekm-eastus.vault.test/keys/tde/bbbb"}],"nextLink":null})")};
  auto list = c->ListKeyVersions("tde", Soon());
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].version, "bbbb");
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(transport_->sent[0].target, "/keys/tde/versions?maxresults=1&api-version=7.4");
  const std::string& next = transport_->sent[1].target;
  EXPECT_EQ(next.find("7.2"), std::string::npos) << next;
  EXPECT_NE(next.find("api-version=7.4"), std::string::npos) << next;
  EXPECT_NE(next.find("skiptoken=eyJOZXh0"), std::string::npos) << next;
  EXPECT_EQ(next.rfind("/keys/tde/versions?", 0), 0u) << next;

  transport_->replies = {Reply(200, R"({"value":[],"nextLink":"https://evil.example/keys/tde/versions?x=1"})")};
  auto refused = c->ListKeyVersions("tde", Soon());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("another host"), std::string::npos);
  EXPECT_EQ(transport_->sent.size(), 3u);  // nothing was sent to evil.example
}

TEST_F(KeyVaultClientUnitTest, ThrottledIsRetriedUnlessTheOptionSaysNo) {
  auth_->challenged = true;
  auto retrying = Make();
  transport_->replies = {Reply(429, R"({"error":{"code":"Throttled","message":"m"}})", {{"retry-after-ms", "1"}}),
                         Reply(200, kBundle)};
  ASSERT_TRUE(retrying->GetKey("tde", "", Soon()).ok());
  EXPECT_EQ(retrying->stats().retries, 1u);

  KeyVaultClientOptions no_throttle_retry;
  no_throttle_retry.retry_throttled = false;
  auto shedding = Make(no_throttle_retry);
  transport_->replies = {Reply(429, R"({"error":{"code":"Throttled","message":"m"}})"), Reply(200, kBundle)};
  auto r = shedding->GetKey("tde", "", Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kHttpThrottled);
  EXPECT_EQ(shedding->stats().retries, 0u);
}

TEST_F(KeyVaultClientUnitTest, UnreachableIsRetriedUnlessTheOptionSaysNo) {
  auth_->challenged = true;
  const Status refused(codes::kHttpConnectSession, ErrorClass::kTransient,
                       "cannot connect to v.vault.azure.net:443: Connection refused");
  auto retrying = Make();
  transport_->replies = {refused, Reply(200, kBundle)};
  ASSERT_TRUE(retrying->GetKey("tde", "", Soon()).ok());
  EXPECT_EQ(retrying->stats().retries, 1u);

  KeyVaultClientOptions routed;
  routed.retry_unreachable = false;
  auto failing_fast = Make(routed);
  const Status unresolved(codes::kVaultNameNotResolved, ErrorClass::kTransient, "host name v could not be resolved");
  for (const Status& s : {refused, unresolved}) {
    transport_->replies = {s, Reply(200, kBundle)};
    auto r = failing_fast->GetKey("tde", "", Soon());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), s.code());
  }
  EXPECT_EQ(failing_fast->stats().retries, 0u);
  // Other transient failures (a read that failed, a 5xx) are still retried.
  transport_->replies = {Status(codes::kHttpReadData, ErrorClass::kTransient, "cannot read"), Reply(503, ""),
                         Reply(200, kBundle)};
  EXPECT_TRUE(failing_fast->GetKey("tde", "", Soon()).ok());
  EXPECT_EQ(failing_fast->stats().retries, 2u);
}

TEST_F(KeyVaultClientUnitTest, ARetryAfterBeyondTheDeadlineReturnsTheLastErrorAtOnce) {
  auth_->challenged = true;
  auto c = Make();
  transport_->replies = {Reply(503, "", {{"Retry-After", "30"}}), Reply(200, kBundle)};
  auto t0 = Clock::now();
  auto r = c->GetKey("tde", "", Deadline::After(std::chrono::seconds(2)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kHttpServerError);
  EXPECT_EQ(r.status().request_id(), "req-503");
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(1));  // generous: it must not sleep 2 s
  EXPECT_EQ(transport_->sent.size(), 1u);
}

TEST_F(KeyVaultClientUnitTest, NonIdempotentCallsAreNotRetriedAfterA5xx) {
  auth_->challenged = true;
  auto c = Make();
  transport_->replies = {Reply(500, ""), Reply(200, kBundle)};
  EXPECT_FALSE(c->RotateKey("tde", Soon()).ok());
  EXPECT_EQ(transport_->sent.size(), 1u);
  transport_->replies = {Reply(500, ""), Reply(200, kBundle)};
  EXPECT_TRUE(c->GetKey("tde", "", Soon()).ok());
  EXPECT_EQ(transport_->sent.size(), 3u);
}

// Until the vault has challenged, a wrap goes without its body (the DEK):
// the body travels only with the token.
TEST_F(KeyVaultClientUnitTest, TheUnauthenticatedFirstWrapCarriesNoBody) {
  auto c = Make();
  SecureBytes dek = {0xff, 0xfb, 0xff};
  transport_->replies = {Challenge(), Reply(200, R"({"kid":"x","value":"AQAB"})"),
                         Reply(200, R"({"kid":"x","value":"AQAB"})")};
  ASSERT_TRUE(c->WrapKey("tde", kVersion, WrapAlgorithm::kRsaOaep256, dek, Soon()).ok());
  ASSERT_TRUE(c->WrapKey("tde", kVersion, WrapAlgorithm::kRsaOaep256, dek, Soon()).ok());
  const auto& s = transport_->sent;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].method, "POST");
  EXPECT_EQ(s[0].target, std::string("/keys/tde/") + kVersion + "/wrapkey?api-version=7.4");
  EXPECT_EQ(s[0].body, "");
  EXPECT_EQ(Header(s[0], "Authorization"), "");
  EXPECT_EQ(Header(s[0], "Content-Type"), "");
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(s[i].body, R"({"alg":"RSA-OAEP-256","value":"__v_"})");
    EXPECT_EQ(Header(s[i], "Authorization"), std::string("Bearer ") + kToken);
  }
}

// A vault that does not challenge (2xx to the body-less request) gets the
// request as it is.
TEST_F(KeyVaultClientUnitTest, AVaultThatDoesNotChallengeGetsTheBodyNext) {
  auto c = Make();
  transport_->replies = {Reply(200, "{}"), Reply(200, R"({"kid":"x","value":"AQAB"})")};
  auto wrapped = c->WrapKey("tde", kVersion, WrapAlgorithm::kRsaOaep256, SecureBytes{1, 2, 3}, Soon());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(transport_->sent[0].body, "");
  EXPECT_NE(transport_->sent[1].body.find("\"value\":\"AQID\""), std::string::npos) << transport_->sent[1].body;
}

// A 409 was refused, not processed (a restore right after a purge is
// accepted seconds later): retried even for a call that is not idempotent.
TEST_F(KeyVaultClientUnitTest, AConflictIsRetriedEvenForRestore) {
  auth_->challenged = true;
  auto c = Make();
  transport_->replies = {
      Reply(409, R"({"error":{"code":"Conflict","message":"There was a conflict restoring the key."}})"),
      Reply(200, kBundle)};
  auto restored = c->RestoreKey("YmxvYg", Soon());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(c->stats().retries, 1u);
}

TEST_F(KeyVaultClientUnitTest, RetriesStopAtMaxRetries) {
  auth_->challenged = true;
  auto c = Make();
  for (int i = 0; i < 10; ++i) transport_->replies.push_back(Reply(503, ""));
  EXPECT_EQ(c->GetKey("tde", "", Soon()).status().code(), codes::kHttpServerError);
  EXPECT_EQ(transport_->sent.size(), 4u);  // 1 + max_retries
}

TEST_F(KeyVaultClientUnitTest, BadNamesAreRefusedBeforeSending) {
  auto c = Make();
  EXPECT_EQ(c->GetKey("a/b", "", Soon()).status().error_class(), ErrorClass::kInvalidInput);
  EXPECT_EQ(c->GetKey("tde", "../x", Soon()).status().error_class(), ErrorClass::kInvalidInput);
  EXPECT_EQ(c->UnwrapKey("tde", "", WrapAlgorithm::kRsaOaep, Bytes(1), Soon()).status().error_class(),
            ErrorClass::kInvalidInput);
  EXPECT_EQ(c->RestoreKey("not a blob", Soon()).status().error_class(), ErrorClass::kInvalidInput);
  EXPECT_TRUE(transport_->sent.empty());
}

}  // namespace
}  // namespace geoekm
