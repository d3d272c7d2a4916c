// Property tests of the parsers of authority and managed identity answers:
// recorded Entra ID, IMDS and App Service bodies (docs/ARCHITECTURE.md
// §Entra tokens, §Managed identity) with every field in turn made null, a number, a string, an
// array, an object, a megabyte string, a deep nesting, or deleted
// (tests/support/json_mutations.h). A parser returns a token or an error
// Status and never throws; a token is usable; an error is bounded.
#include <gtest/gtest.h>

#include <optional>

#include "core/error_codes.h"
#include "tests/support/json_mutations.h"
#include "keyvault/identity/managed_identity_source.h"
#include "keyvault/identity/token_response.h"

namespace geoekm {
namespace {

using testing::JsonMutation;
using testing::MutantKind;

constexpr std::int64_t kNow = 1700000000;
constexpr char kToken[] = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2lnbmF0dXJl";
constexpr char kSecret[] = "Abc8Q~not-a-real-client-secret-value-0123";

const std::vector<std::string>& SuccessBodies() {
  static const std::vector<std::string> bodies = {
      // Entra ID v2
      std::string(R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"refresh_in":1799,"access_token":")") +
          kToken + R"("})",
      // IMDS: numbers as strings
      std::string(R"({"access_token":")") + kToken +
          R"(","client_id":"5a1d0d6c-1111-2222-3333-444455556666","expires_in":"86399","expires_on":"1700086399",)"
          R"("ext_expires_in":"86399","not_before":"1699999999","resource":"https://vault.azure.net","token_type":"Bearer"})",
      // App Service 2019-08-01: expires_on only
      std::string(R"({"access_token":")") + kToken +
          R"(","expires_on":"1700003600","resource":"https://vault.azure.net","token_type":"Bearer",)"
          R"("client_id":"5E29463D-71DA-4FE0-8E69-999B57DB23B0"})",
  };
  return bodies;
}

const std::vector<std::string>& ErrorBodies() {
  static const std::vector<std::string> bodies = {
      // Entra ID
      std::string(R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided )") +
          kSecret +
          R"(.\r\nTrace ID: 1f0d6c3a-1111-2222-3333-444455556666\r\nTimestamp: 2023-11-14 22:13:20Z",)"
          R"("error_codes":[7000215,50012],"timestamp":"2023-11-14 22:13:20Z",)"
          R"("trace_id":"1f0d6c3a-1111-2222-3333-444455556666","correlation_id":"72f988bf-86f1-41af-91ab-2d7cd011db47",)"
          R"("error_uri":"https://login.microsoftonline.com/error?code=7000215"})",
      // IMDS
      R"({"error":"invalid_request","error_description":"Identity not found"})",
      // App Service
      R"({"statusCode":400,"message":"Unable to load the proper Managed Identity.","correlationId":"1f0d6c3a"})",
  };
  return bodies;
}

std::string Trace(const JsonMutation& m) { return "'" + m.where + "' -> " + m.what; }

void ExpectUsableTokenOrParserError(const Result<AccessToken>& r, const JsonMutation& m) {
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), codes::kTokenJsonParser) << r.status().ToString();
    EXPECT_EQ(r.status().error_class(), ErrorClass::kAuth);
    EXPECT_LT(r.status().message().size(), 200u);
    EXPECT_EQ(r.status().message().find(kToken), std::string::npos);
    return;
  }
  // Only a string token is a token: never a number or object stringified.
  EXPECT_FALSE(m.where == "access_token" && m.kind != MutantKind::kString) << "token read from a non-string";
  EXPECT_FALSE(r->value.empty());
  EXPECT_GT(r->expires_on, kNow);
  EXPECT_LE(r->usable_until, r->expires_on);
  EXPECT_GE(r->refresh_on, kNow);
}

TEST(TokenAnswerMutation, SuccessBodiesNeverThrowAndGiveAUsableTokenOrAParserError) {
  for (const std::string& recorded : SuccessBodies()) {
    ASSERT_TRUE(ParseTokenResponse(recorded, kNow).ok()) << recorded;
    int accepted = 0;
    for (const JsonMutation& m : testing::MutationsOf(recorded)) {
      SCOPED_TRACE(Trace(m));
      std::optional<Result<AccessToken>> r;
      EXPECT_NO_THROW(r.emplace(ParseTokenResponse(m.body, kNow)));
      if (!r) continue;
      ExpectUsableTokenOrParserError(*r, m);
      if ((m.where == "access_token" && m.kind != MutantKind::kString) || m.kind == MutantKind::kWholeBody ||
          m.kind == MutantKind::kTooDeep) {
        EXPECT_FALSE(r->ok());
      }
      accepted += r->ok() ? 1 : 0;
    }
    EXPECT_GT(accepted, 50) << recorded;  // fields the parser does not need may be anything
  }
}

TEST(TokenAnswerMutation, ErrorBodiesNeverThrowAndGiveABoundedRefusal) {
  for (const std::string& recorded : ErrorBodies()) {
    for (const JsonMutation& m : testing::MutationsOf(recorded)) {
      SCOPED_TRACE(Trace(m));
      for (int http : {400, 401, 500}) {
        std::optional<Status> s;
        EXPECT_NO_THROW(s.emplace(TokenErrorFromResponse(http, m.body, "token endpoint login.test/t", {kSecret})));
        if (!s) continue;
        EXPECT_TRUE(s->code() == codes::kTokenBadCredentials || s->code() == codes::kTokenFailed) << s->ToString();
        EXPECT_LT(s->ToString().size(), 1000u);
        EXPECT_EQ(s->ToString().find(kSecret), std::string::npos) << s->ToString();
      }
    }
  }
}

TEST(TokenAnswerMutation, ManagedIdentityAnswersNeverThrowThroughTheSource) {
  // IMDS answers reach the parsers through ManagedIdentitySource::Fetch.
  const std::string recorded = SuccessBodies()[1];
  std::string answer;
  auto imds = [&](const HttpRequest&, Deadline) -> Result<HttpResponse> {
    HttpResponse r;
    r.status = 200;
    r.body = answer;
    return r;
  };
  ManagedIdentitySource source(ManagedIdentityEndpoint{}, "", imds);
  for (const JsonMutation& m : testing::MutationsOf(recorded)) {
    SCOPED_TRACE(Trace(m));
    answer = m.body;
    std::optional<Result<AccessToken>> r;
    EXPECT_NO_THROW(r.emplace(source.Fetch(TokenScope{"", "https://vault.azure.net"},
                                           Deadline::After(std::chrono::seconds(5)))));
    if (!r) continue;
    if (r->ok()) {
      EXPECT_FALSE(r->value().value.empty());
      EXPECT_GT(r->value().expires_on, kNow);
    } else {
      EXPECT_EQ(r->status().code(), codes::kTokenJsonParser) << r->status().ToString();
    }
    if (m.where == "access_token" && m.kind != MutantKind::kString) {
      EXPECT_FALSE(r->ok());
    }
  }
}

}  // namespace
}  // namespace geoekm
