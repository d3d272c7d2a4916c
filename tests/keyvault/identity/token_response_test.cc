#include "keyvault/identity/token_response.h"

#include <gtest/gtest.h>

#include "core/error_codes.h"

namespace geoekm {
namespace {

constexpr std::int64_t kNow = 1700000000;

TEST(TokenResponseTest, V2NumbersFromRecording) {
  auto t = ParseTokenResponse(
      R"({"token_type":"Bearer","expires_in":86399,"ext_expires_in":86399,"access_token":"eyJ0eXAi.x.y"})", kNow);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::string_view(t->value), "eyJ0eXAi.x.y");
  EXPECT_EQ(t->expires_on, kNow + 86399);
  EXPECT_EQ(t->refresh_on, kNow + 86399 - 300);  // 5 minutes ahead for long tokens
  EXPECT_EQ(t->usable_until, kNow + 86399 - 30);
}

TEST(TokenResponseTest, V1Strings) {
  auto t = ParseTokenResponse(
      R"({"access_token":"tok","token_type":"Bearer","expires_in":"3599","expires_on":"1388452167","resource":"https://service.contoso.com/"})",
      kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_on, kNow + 3599);  // expires_in wins over expires_on
}

TEST(TokenResponseTest, ImdsStrings) {
  auto t = ParseTokenResponse(
      R"({"access_token":"eyJ0eXAi","refresh_token":"","expires_in":"3599","expires_on":"1506484173","not_before":"1506480273","resource":"https://management.azure.com/","token_type":"Bearer"})",
      kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_on, kNow + 3599);
}

TEST(TokenResponseTest, AppServiceExpiresOnOnly) {
  auto t = ParseTokenResponse(
      R"({"access_token":"eyJ0eXAi","expires_on":"1700003600","resource":"https://vault.azure.net","token_type":"Bearer","client_id":"5E29463D"})",
      kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_on, 1700003600);
  auto n = ParseTokenResponse(R"({"access_token":"a","expires_on":1700000100})", kNow);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->expires_on, 1700000100);
}

TEST(TokenResponseTest, LegacyDateExpiresOn) {
  auto t = ParseTokenResponse(R"({"access_token":"a","expires_on":"2023-11-14T23:13:20Z"})", kNow);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->expires_on, 1700003600);
}

TEST(TokenResponseTest, RefreshInIsAHint) {
  auto t = ParseTokenResponse(R"({"access_token":"a","expires_in":7200,"refresh_in":3600})", kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_on, kNow + 7200);
  EXPECT_EQ(t->refresh_on, kNow + 3600);
  auto only = ParseTokenResponse(R"({"access_token":"a","refresh_in":"600"})", kNow);
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->expires_on, kNow + 600);
}

TEST(TokenResponseTest, ShortTokensRefreshAtHalfLife) {
  auto t = ParseTokenResponse(R"({"access_token":"a","expires_in":20})", kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refresh_on, kNow + 10);
  EXPECT_EQ(t->usable_until, kNow + 18);
}

TEST(TokenResponseTest, BadBodiesAre3307) {
  for (const char* body : {"", "not json", "[1,2]", R"({"token_type":"Bearer","expires_in":3599})",
                           R"({"access_token":42,"expires_in":3599})", R"({"access_token":"","expires_in":3599})",
                           R"({"access_token":"a"})", R"({"access_token":"a","expires_in":"soon"})",
                           R"({"access_token":"a","expires_in":-5})", R"({"access_token":"a","expires_in":0})",
                           R"({"access_token":"a","expires_in":99999999999})"}) {
    auto t = ParseTokenResponse(body, kNow);
    ASSERT_FALSE(t.ok()) << body;
    EXPECT_EQ(t.status().code(), codes::kTokenJsonParser) << body;
  }
}

TEST(TokenErrorTest, InvalidClientSecretIs3303WithHint) {
  Status s = TokenErrorFromResponse(
      401,
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'abc'.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2024-01-01 00:00:00Z","error_codes":[7000215],"timestamp":"2024-01-01 00:00:00Z","trace_id":"t-1","correlation_id":"c-1","error_uri":"https://login.microsoftonline.com/error?code=7000215"})",
      "token endpoint login/x", {"hunter2-secret"});
  EXPECT_EQ(s.code(), codes::kTokenBadCredentials);
  EXPECT_EQ(s.error_class(), ErrorClass::kAuth);
  EXPECT_EQ(s.http_status(), 401);
  EXPECT_NE(s.message().find("AADSTS7000215"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("check the client id / secret / certificate / tenant"), std::string::npos);
  EXPECT_EQ(s.message().find("Trace ID"), std::string::npos) << "only the first description line";
}

TEST(TokenErrorTest, CredentialErrorsByCodeOrName) {
  EXPECT_EQ(TokenErrorFromResponse(400, R"({"error":"unauthorized_client","error_codes":[700016]})", "x", {}).code(),
            codes::kTokenBadCredentials);
  EXPECT_EQ(TokenErrorFromResponse(400, R"({"error":"invalid_request","error_codes":[90002]})", "x", {}).code(),
            codes::kTokenBadCredentials);
  EXPECT_EQ(TokenErrorFromResponse(400, R"({"error":"invalid_tenant","error_codes":[90002]})", "x", {}).code(),
            codes::kTokenBadCredentials);
  EXPECT_EQ(TokenErrorFromResponse(401, R"({"error":"invalid_client","error_codes":[700027]})", "x", {}).code(),
            codes::kTokenBadCredentials);
}

TEST(TokenErrorTest, OtherRefusalsAre3304) {
  Status scope = TokenErrorFromResponse(400, R"({"error":"invalid_scope","error_codes":[70011]})", "x", {});
  EXPECT_EQ(scope.code(), codes::kTokenFailed);
  EXPECT_EQ(scope.error_class(), ErrorClass::kAuth);
  Status busy = TokenErrorFromResponse(503, R"({"error":"temporarily_unavailable"})", "x", {});
  EXPECT_EQ(busy.code(), codes::kTokenFailed);
  EXPECT_EQ(busy.error_class(), ErrorClass::kTransient);
  Status html = TokenErrorFromResponse(502, "<html>bad gateway</html>", "x", {});
  EXPECT_EQ(html.code(), codes::kTokenFailed);
  EXPECT_EQ(html.error_class(), ErrorClass::kTransient);
  EXPECT_EQ(TokenErrorFromResponse(429, "", "x", {}).error_class(), ErrorClass::kThrottled);
  Status imds = TokenErrorFromResponse(400, R"({"error":"bad_request_102","error_description":"Required metadata header not specified"})", "x", {});
  EXPECT_EQ(imds.code(), codes::kTokenFailed);
  EXPECT_NE(imds.message().find("Required metadata header"), std::string::npos);
}

TEST(TokenErrorTest, EchoedSecretsAreRedacted) {
  Status s = TokenErrorFromResponse(
      401, R"({"error":"invalid_client","error_description":"secret s3cr3t-VALUE was wrong"})", "x", {"s3cr3t-VALUE"});
  EXPECT_EQ(s.message().find("s3cr3t-VALUE"), std::string::npos) << s.message();
  EXPECT_EQ(s.ToString().find("s3cr3t-VALUE"), std::string::npos);
}

}  // namespace
}  // namespace geoekm
