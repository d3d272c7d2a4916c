// Redaction of vault error messages (docs/ARCHITECTURE.md, invariant 5): a hostile or
// careless vault that echoes the bearer token or a DEK in its error message
// does not get them into a Status; GUIDs and URLs an operator needs stay.
#include <gtest/gtest.h>

#include "keyvault/keys/vault_error.h"

namespace geoekm {
namespace {

// A JWT-shaped token and a 32-byte DEK in base64url, as a vault might echo them.
constexpr char kJwt[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCIsImlzcyI6Imh0dHBzOi8vc3RzIn0."
    "c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJlLXNpZ25hdHVyZQ";
constexpr char kDekB64[] = "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo";

HttpResponse Echoing(int status) {
  HttpResponse r;
  r.status = status;
  r.body = std::string(R"({"error":{"code":"Echo","message":"token )") + kJwt + " value " + kDekB64 +
           R"( for appid=1f0d6c3a-1111-2222-3333-444455556666 at https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/"}})";
  r.headers.emplace_back("x-ms-request-id", "1f0d6c3a-1111-2222-3333-444455556666");
  return r;
}

TEST(SecretsInErrors, AVaultEchoingTokenOrDekIsRedacted) {
  for (int status : {400, 401, 403, 404, 409, 429, 500, 503}) {
    const std::string text = VaultErrorFromResponse(Echoing(status), "eastus", "wrapkey").ToString();
    // No long piece of either secret survives.
    for (std::string_view secret : {std::string_view(kJwt), std::string_view(kDekB64)}) {
      for (std::size_t i = 0; i + 24 <= secret.size(); i += 8) {
        EXPECT_EQ(text.find(secret.substr(i, 24)), std::string::npos) << status << ": " << text;
      }
    }
  }
  // What an operator needs stays: the identity's GUID and the issuer URL.
  const std::string forbidden = VaultErrorFromResponse(Echoing(403), "eastus", "wrapkey").message();
  EXPECT_NE(forbidden.find("1f0d6c3a-1111-2222-3333-444455556666"), std::string::npos) << forbidden;
  EXPECT_NE(forbidden.find("https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/"), std::string::npos)
      << forbidden;
}

TEST(SecretsInErrors, RedactLongRunsKeepsShortWords) {
  EXPECT_EQ(RedactLongRuns("Operation wrapKey is not permitted on this key."),
            "Operation wrapKey is not permitted on this key.");
  EXPECT_EQ(RedactLongRuns(std::string("x ") + kDekB64 + " y"), "x [redacted] y");
  EXPECT_EQ(RedactLongRuns(std::string("Bearer ") + kJwt), "Bearer [redacted].[redacted].[redacted]");
}

// Key names are 1-127 of A-Z a-z 0-9 -, the same letters as a DEK in
// base64url, so the letters cannot tell them apart: the name the request was
// for is kept, every other long run still goes.
TEST(SecretsInErrors, TheRequestsKeyNameStaysReadableHowEverLong) {
  const std::string forty = "tde-protector-for-the-production-cluster";  // 40
  const std::string longest(127, 'K');
  const std::string dek_shaped = kDekB64;  // a legal key name too
  for (const std::string& name : {forty, longest, dek_shaped}) {
    ASSERT_GE(name.size(), 40u);
    HttpResponse r;
    r.status = 404;
    r.body = R"({"error":{"code":"KeyNotFound","message":"A key with (name/id) )" + name +
             R"(/78deebed173b48e48f55abf87ed4cf71 was not found in this key vault. Token )" + kJwt + R"("}})";
    const std::string text = VaultErrorFromResponse(r, "eastus", "get key", "/keys/" + name + "/78deebed").ToString();
    EXPECT_NE(text.find("(name/id) " + name + "/78deebed173b48e48f55abf87ed4cf71 was not found"), std::string::npos)
        << text;
    EXPECT_EQ(text.find(std::string_view(kJwt).substr(0, 24)), std::string::npos) << text;
    EXPECT_EQ(RedactLongRuns("key " + name + " and " + kDekB64, name),
              "key " + name + " and " + (name == kDekB64 ? name : "[redacted]"));
  }
  // Without the request's name, a long name is redacted like any secret.
  EXPECT_EQ(RedactLongRuns("key " + forty), "key [redacted]");
  // A request's name keeps only itself: a DEK next to it still goes.
  EXPECT_EQ(RedactLongRuns(forty + " " + kDekB64, forty), forty + " [redacted]");
}

TEST(SecretsInErrors, OnlyAPermissionNameIsQuotedFromA403) {
  HttpResponse r;
  r.status = 403;
  r.body = std::string(R"({"error":{"code":"Forbidden","message":"The user does not have keys )") + kDekB64 + "." +
           std::string(5000, 'x') + R"( permission on key vault 'v'."}})";
  const std::string text = VaultErrorFromResponse(r, "eastus", "unwrapkey").ToString();
  EXPECT_EQ(text.find(kDekB64), std::string::npos) << text;
  EXPECT_LT(text.size(), 2000u);
  EXPECT_NE(text.find("the identity lacks a permission on this vault"), std::string::npos) << text;
}

}  // namespace
}  // namespace geoekm
