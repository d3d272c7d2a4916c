// Parsers and retry policy of the Key Vault client, from the REST spec's
// literal examples (docs/ARCHITECTURE.md §Key JSON, §Retry-After).
#include <gtest/gtest.h>

#include "core/error_codes.h"
#include "keyvault/keys/key_bundle_json.h"
#include "keyvault/keys/retry_policy.h"
#include "keyvault/keys/vault_error.h"

namespace geoekm {
namespace {

HttpResponse Response(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.headers.emplace_back("x-ms-request-id", "1f0d6c3a-1111-2222-3333-444455556666");
  return r;
}

TEST(VaultErrorBody, ParsesCodesWithSpacesAndInnerErrors) {
  auto b = ParseVaultErrorBody(
      R"({"error":{"code":"Malformed backup blob","message":"Backup blob contains invalid or corrupt version."}})");
  EXPECT_EQ(b.code, "Malformed backup blob");
  EXPECT_EQ(b.message, "Backup blob contains invalid or corrupt version.");
  auto f = ParseVaultErrorBody(
      R"({"error":{"code":"Forbidden","message":"x","innererror":{"code":"AccessDenied"}}})");
  EXPECT_EQ(f.inner_code, "AccessDenied");
  EXPECT_TRUE(ParseVaultErrorBody("").code.empty());
  EXPECT_TRUE(ParseVaultErrorBody("OK").code.empty());  // Managed HSM's 401 body
}

// The spec's DeleteKey/GetDeletedKey example shape (docs/ARCHITECTURE.md §Soft delete).
TEST(DeletedKeyBundle, ParsesRecoveryIdAndDatesAroundTheKey) {
  auto d = ParseDeletedKeyBundle(
      R"({"recoveryId":"https://myvault.vault.azure.net/deletedkeys/CreateSoftKeyTest","deletedDate":1493942452,)"
      R"("scheduledPurgeDate":1501718452,"key":{"kid":"https://myvault.vault.azure.net/keys/CreateSoftKeyTest/)"
      R"(78deebed173b48e48f55abf87ed4cf71","kty":"RSA","key_ops":["wrapKey","unwrapKey"],"n":"AQAB","e":"AQAB"},)"
      R"("attributes":{"enabled":true,"created":1493942451,"updated":1493942451,"recoveryLevel":"Recoverable+Purgeable"}})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->recovery_id, "https://myvault.vault.azure.net/deletedkeys/CreateSoftKeyTest");
  EXPECT_EQ(d->deleted_date, 1493942452);
  EXPECT_EQ(d->scheduled_purge_date, 1501718452);
  EXPECT_EQ(d->key.version, "78deebed173b48e48f55abf87ed4cf71");
  EXPECT_EQ(d->key.thumbprint.size(), 43u);
  // A date of the wrong type rejects the body; so does a bundle without a key.
  EXPECT_FALSE(ParseDeletedKeyBundle(
                   R"({"recoveryId":"x","deletedDate":"yesterday","key":{"kid":"https://v/keys/k/1","kty":"RSA","n":"AQAB","e":"AQAB"}})")
                   .ok());
  EXPECT_FALSE(ParseDeletedKeyBundle(R"({"recoveryId":"x","deletedDate":1})").ok());
}

TEST(VaultError, MapsStatusesToConnectorCodesAndClasses) {
  struct Case {
    int status;
    int code;
    ErrorClass cls;
  } cases[] = {{401, codes::kHttpUnauthorized, ErrorClass::kAuth},
               {403, codes::kHttpForbidden, ErrorClass::kForbidden},
               {404, codes::kHttpNotFound, ErrorClass::kNotFound},
               {429, codes::kHttpThrottled, ErrorClass::kThrottled},
               {400, codes::kHttpClientError, ErrorClass::kBadRequest},
               {409, codes::kHttpClientError, ErrorClass::kTransient},  // a conflict: retried
               {408, codes::kHttpServerError, ErrorClass::kTransient},
               {500, codes::kHttpServerError, ErrorClass::kTransient},
               {503, codes::kHttpServerError, ErrorClass::kTransient}};
  for (const Case& c : cases) {
    Status s = VaultErrorFromResponse(Response(c.status, R"({"error":{"code":"X","message":"m"}})"), "eastus", "op");
    EXPECT_EQ(s.code(), c.code) << c.status;
    EXPECT_EQ(s.error_class(), c.cls) << c.status;
    EXPECT_EQ(s.http_status(), c.status);
    EXPECT_EQ(s.request_id(), "1f0d6c3a-1111-2222-3333-444455556666");
    EXPECT_EQ(s.vault(), "eastus");
  }
}

TEST(VaultError, A401ForAnotherTenantOrResourceBlamesTheCredential) {
  Status issuer = VaultErrorFromResponse(
      Response(401, R"({"error":{"code":"Unauthorized","message":"AKV10032: Invalid issuer. Expected one of https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/, found https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/."}})"),
      "eastus", "get key");
  EXPECT_EQ(issuer.code(), codes::kHttpUnauthorizedCredential);
  EXPECT_EQ(issuer.error_class(), ErrorClass::kAuth);
  EXPECT_EQ(issuer.vault_error_code(), "Unauthorized");
  Status missing = VaultErrorFromResponse(
      Response(401, R"({"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}})"),
      "eastus", "get key");
  EXPECT_EQ(missing.code(), codes::kHttpUnauthorized);
  // Managed HSM: empty 401 body.
  EXPECT_EQ(VaultErrorFromResponse(Response(401, ""), "hsm", "get key").code(), codes::kHttpUnauthorized);
}

TEST(VaultError, KeepsTheVaultCodeWithSpacesAndHidesBadRequestEchoes) {
  Status s = VaultErrorFromResponse(
      Response(400, R"({"error":{"code":"Malformed backup blob","message":"Backup blob contains invalid or corrupt version."}})"),
      "westus", "restore");
  EXPECT_EQ(s.code(), codes::kHttpClientError);
  EXPECT_EQ(s.vault_error_code(), "Malformed backup blob");
  EXPECT_EQ(s.message().find("Backup blob contains"), std::string::npos) << s.message();
  EXPECT_EQ(s.http_status(), 400);
}

// Real Key Vault answers a restore right after a purge with 409 and accepts
// it seconds later: the service's code and words must reach the operator,
// not advice about malformed blobs.
TEST(VaultError, AConflictKeepsTheVaultsCodeAndMessage) {
  Status s = VaultErrorFromResponse(
      Response(409, R"({"error":{"code":"Conflict","message":"There was a conflict restoring the key 'https://v.vault.azure.net/keys/k/1'."}})"),
      "westus", "restore");
  EXPECT_EQ(s.code(), codes::kHttpClientError);
  EXPECT_EQ(s.error_class(), ErrorClass::kTransient);
  EXPECT_EQ(s.vault_error_code(), "Conflict");
  EXPECT_NE(s.message().find("There was a conflict restoring the key"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("malformed"), std::string::npos) << s.message();
}

// A vault never redirects: the message says so and where it pointed.
TEST(VaultError, ARedirectSaysWhereItPointed) {
  Status s = VaultErrorFromResponse(Response(302, "", {{"Location", "https://elsewhere.example/keys/k"}}), "eastus",
                                    "get key");
  EXPECT_EQ(s.error_class(), ErrorClass::kTransient);
  EXPECT_EQ(s.http_status(), 302);
  EXPECT_NE(s.message().find("redirect to 'https://elsewhere.example/keys/k'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("refused"), std::string::npos) << s.message();
  Status nowhere = VaultErrorFromResponse(Response(307, ""), "eastus", "get key");
  EXPECT_NE(nowhere.message().find("no Location"), std::string::npos) << nowhere.message();
}

// Vault text reaches terminals and logs: its control bytes are escaped.
TEST(VaultError, ControlBytesFromTheVaultAreEscaped) {
  Status s = VaultErrorFromResponse(
      Response(503, "{\"error\":{\"code\":\"Busy\\u0007\",\"message\":\"retry\\u001b[2J later\\r\\nFAKE LOG LINE\"}}",
               {{"x-ms-request-id", "id\x1b[31m"}}),
      "eastus", "get key");
  const std::string text = s.ToString();
  for (char c : text) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << "raw control byte in: " << text;
  EXPECT_NE(s.message().find("retry\\x1b[2J later\\x0d\\x0aFAKE LOG LINE"), std::string::npos) << text;
  EXPECT_EQ(s.vault_error_code(), "Busy\\x07");
  Status redirect = VaultErrorFromResponse(Response(302, "", {{"Location", "https://x.example/\x1b[2J"}}), "v", "op");
  EXPECT_NE(redirect.message().find("https://x.example/\\x1b[2J"), std::string::npos) << redirect.message();
}

TEST(VaultError, NamesTheForbiddenReason) {
  auto reason = [](const char* body) {
    return VaultErrorFromResponse(Response(403, body), "v", "op").forbidden_reason();
  };
  EXPECT_EQ(reason(R"({"error":{"code":"Forbidden","message":"The user, group or application 'appid=1;oid=2' does not have keys unwrapKey permission on key vault 'v;location=eastus'.","innererror":{"code":"AccessDenied"}}})"),
            ForbiddenReason::kPermission);
  EXPECT_EQ(reason(R"({"error":{"code":"Forbidden","message":"Client address (127.0.0.1) is not authorized and caller is not a trusted service","innererror":{"code":"ForbiddenByFirewall"}}})"),
            ForbiddenReason::kFirewall);
  EXPECT_EQ(reason(R"({"error":{"code":"Forbidden","message":"Operation decrypt is not permitted on this key."}})"),
            ForbiddenReason::kKeyOps);
  EXPECT_EQ(reason(R"({"error":{"code":"Forbidden","message":"Operation wrapKey is not allowed on a disabled key.","innererror":{"code":"KeyDisabled"}}})"),
            ForbiddenReason::kKeyDisabled);
  EXPECT_EQ(reason(R"({"error":{"code":"Forbidden","message":"Operation wrapKey is not allowed on an expired key.","innererror":{"code":"KeyExpired"}}})"),
            ForbiddenReason::kKeyExpired);
  Status s = VaultErrorFromResponse(
      Response(403, R"({"error":{"code":"Forbidden","message":"... does not have keys unwrapKey permission on key vault 'v'"}})"),
      "v", "unwrapkey");
  EXPECT_NE(s.message().find("'unwrapKey' permission"), std::string::npos) << s.message();
}

TEST(KeyBundleJson, ParsesTheSpecExampleWithThumbprintAndSize) {
  // RFC 7638's example key inside a Key Vault KeyBundle.
  const std::string n =
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj"
      "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQ"
      "vRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK"
      "nqDKgw";
  auto b = ParseKeyBundle(
      R"({"key":{"kid":"https://myvault.vault.azure.net/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71",)"
      R"("kty":"RSA-HSM","key_ops":["wrapKey","unwrapKey"],"n":")" +
      n + R"(","e":"AQAB"},"attributes":{"enabled":true,"created":1493942451,"updated":1493942451,"recoveryLevel":"Recoverable+Purgeable"},"tags":{"purpose":"unit test"}})");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->name, "CreateSoftKeyTest");
  EXPECT_EQ(b->version, "78deebed173b48e48f55abf87ed4cf71");
  EXPECT_EQ(b->thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");  // RSA-HSM normalised
  EXPECT_EQ(b->key_size_bits, 2048);
  EXPECT_EQ(b->attributes.created, std::optional<std::int64_t>(1493942451));
  EXPECT_EQ(b->tags.at("purpose"), "unit test");
  EXPECT_FALSE(ParseKeyBundle(R"({"key":{"kid":"x"}})").ok());
  EXPECT_FALSE(ParseKeyBundle("not json").ok());
}

TEST(KeyBundleJson, ParsesAVersionPageWithAbsoluteNextLink) {
  auto page = ParseKeyVersionPage(
      R"({"value":[{"kid":"https://myvault.vault.azure.net/keys/listkeyversionstest/7c9dc6775d0e4177827c4f98f482fc12",)"
      R"("attributes":{"enabled":true,"created":1493937851,"updated":1493937851,"recoveryLevel":"Recoverable+Purgeable"}}],)"
      R"("nextLink":"https://myvault.vault.azure.net:443/keys/listkeyversionstest/versions?api-version=7.2&$skiptoken=eyJOZXh0&maxresults=1"})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].version, "7c9dc6775d0e4177827c4f98f482fc12");
  EXPECT_NE(page->next_link.find(":443/"), std::string::npos);
  auto last = ParseKeyVersionPage(R"({"value":[],"nextLink":null})");
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->next_link.empty());
}

TEST(RetryAfter, ReadsSecondsDatesAndMilliseconds) {
  auto now = std::chrono::system_clock::from_time_t(1700000000);
  EXPECT_EQ(RetryAfterOf(Response(429, "", {{"Retry-After", "3"}}), now), std::optional<Millis>(Millis(3000)));
  EXPECT_EQ(RetryAfterOf(Response(429, "", {{"retry-after-ms", "250"}}), now), std::optional<Millis>(Millis(250)));
  EXPECT_EQ(RetryAfterOf(Response(429, "", {{"x-ms-retry-after-ms", "40"}}), now), std::optional<Millis>(Millis(40)));
  // 1700000000 = Tue, 14 Nov 2023 22:13:20 GMT
  EXPECT_EQ(RetryAfterOf(Response(503, "", {{"Retry-After", "Tue, 14 Nov 2023 22:13:25 GMT"}}), now),
            std::optional<Millis>(Millis(5000)));
  EXPECT_FALSE(RetryAfterOf(Response(429, ""), now).has_value());
  EXPECT_FALSE(RetryAfterOf(Response(429, "", {{"Retry-After", "soon"}}), now).has_value());
}

TEST(BackoffPolicy, GrowsExponentiallyWithFullJitterAndHonoursRetryAfter) {
  BackoffPolicy p(Millis(100), Millis(1000), 42);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const long long cap = std::min<long long>(1000, 100LL << attempt);
    for (int i = 0; i < 50; ++i) {
      Millis d = p.Delay(attempt, std::nullopt);
      EXPECT_GE(d.count(), 0);
      EXPECT_LE(d.count(), cap);
    }
  }
  EXPECT_EQ(p.Delay(0, Millis(700)), Millis(700));
  EXPECT_EQ(p.Delay(3, Millis(5000)), Millis(5000));  // the server's delay is not cut short
}

TEST(RetryBudget, AllowsAMinimumRateThenARatioOfRequests) {
  Clock::time_point now = Clock::now();
  RetryBudget budget(0.5, 2, [&] { return now; });
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_FALSE(budget.TryRetry());  // minimum spent, no requests yet
  budget.OnRequest();
  budget.OnRequest();  // 2 x 0.5 = one retry
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_FALSE(budget.TryRetry());
  now += std::chrono::seconds(1);  // the minimum refills with time
  EXPECT_TRUE(budget.TryRetry());
}

}  // namespace
}  // namespace geoekm
