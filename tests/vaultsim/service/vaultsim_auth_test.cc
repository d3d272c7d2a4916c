// Bearer-token gate, access policies and firewall of a real vaultsim vault.
#include "tests/vaultsim/service/vaultsim_test_env.h"

namespace geoekm::testing {
namespace {

class AuthTest : public SharedVaultTest {};

constexpr const char* kChallenge =
    R"(Bearer authorization="https://login.vault.test/8e2c4b5a-1f3d-4c6e-9a7b-0d1e2f3a4b5c", resource="https://vault.test")";

void ExpectUnauthorized(const TestResponse& r, const std::string& message) {
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.ErrorCode(), "Unauthorized");
  EXPECT_EQ(r.ErrorMessage(), message);
  EXPECT_EQ(r.Header("WWW-Authenticate"), kChallenge);
  EXPECT_FALSE(r.Header("x-ms-request-id").empty());
}

TEST_F(AuthTest, MissingTokenGetsTheChallenge) {
  TestHttpsClient c = vault_->UnauthenticatedClient();
  ExpectUnauthorized(c.Send("GET", WithApi("/keys/k")), "AKV10000: Request is missing a Bearer or PoP token.");
  // Even without api-version: auth comes first (the JS SDK probes like this).
  ExpectUnauthorized(c.Send("POST", "/keys/k/create", R"({"kty":"RSA"})"),
                     "AKV10000: Request is missing a Bearer or PoP token.");
  ExpectUnauthorized(c.Send("GET", WithApi("/keys/k"), "", {{"Authorization", "Basic dXNlcjpwYXNz"}}),
                     "AKV10000: Request is missing a Bearer or PoP token.");
}

TEST_F(AuthTest, GarbageAndForgedTokensAreRejected) {
  TestHttpsClient c = vault_->UnauthenticatedClient();
  ExpectUnauthorized(c.Send("GET", WithApi("/keys/k"), "", {{"Authorization", "Bearer not.a.jwt"}}),
                     "AKV10000: Request is missing a Bearer or PoP token.");
  // Signed by another key (a different PKI's signing key).
  TestPkiFiles other({"unused.vault.test"}, 0);
  ExpectUnauthorized(c.Send("GET", WithApi("/keys/k"), "", {{"Authorization", BearerHeader(MintAccessToken(other))}}),
                     "AKV10000: Request is missing a Bearer or PoP token.");
}

TEST_F(AuthTest, ExpiredWrongTenantAndWrongAudience) {
  TokenSpec expired;
  expired.lifetime_seconds = -600;
  ExpectUnauthorized(vault_->Client(expired).Send("GET", WithApi("/keys/k")), "AKV10013: Token has expired.");

  TokenSpec tenant;
  tenant.tenant = "11111111-2222-3333-4444-555555555555";
  ExpectUnauthorized(vault_->Client(tenant).Send("GET", WithApi("/keys/k")),
                     "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/" + std::string(kTestTenant) +
                         "/, found https://sts.windows.net/11111111-2222-3333-4444-555555555555/.");

  TokenSpec audience;
  audience.audience = "https://management.azure.com";
  ExpectUnauthorized(vault_->Client(audience).Send("GET", WithApi("/keys/k")),
                     "AKV10022: Invalid audience. Expected https://vault.test, found: https://management.azure.com.");

  TokenSpec slash;
  slash.audience = std::string(kTestResource) + "/";
  EXPECT_EQ(vault_->Client(slash).Send("GET", WithApi("/keys/k")).status, 404);  // authorised, key missing
}

TEST_F(AuthTest, AccessPolicyDeniesWithTheServiceMessage) {
  CreateKey("policy-key");
  TokenSpec ro;
  ro.client_id = kReadOnlyClientId;
  TestHttpsClient c = vault_->Client(ro);
  EXPECT_EQ(c.Send("GET", WithApi("/keys/policy-key")).status, 200);
  TestResponse r = c.Send("POST", WithApi("/keys/policy-key//wrapkey"), R"({"alg":"RSA-OAEP","value":"AAAA"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.ErrorCode(), "Forbidden");
  EXPECT_EQ(r.InnerErrorCode(), "AccessDenied");
  EXPECT_EQ(r.ErrorMessage(),
            "The user, group or application 'appid=" + std::string(kReadOnlyClientId) + ";oid=" + kReadOnlyClientId +
                ";iss=https://sts.windows.net/" + kTestTenant +
                "/' does not have keys wrapKey permission on key vault 'geoekm-eastus;location=eastus'. For help "
                "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287");
  EXPECT_NE(c.Send("POST", WithApi("/keys/x/create"), R"({"kty":"RSA"})").ErrorMessage().find("keys create permission"),
            std::string::npos);
  EXPECT_NE(c.Send("DELETE", WithApi("/keys/policy-key")).ErrorMessage().find("keys delete permission"), std::string::npos);

  TokenSpec unknown;
  unknown.client_id = "ffffffffffffffffffffffffffffffff";
  EXPECT_EQ(vault_->Client(unknown).Send("GET", WithApi("/keys/policy-key")).InnerErrorCode(), "AccessDenied");
}

TEST_F(AuthTest, AdminGrantsAndRevokesAtRuntime) {
  const std::string v = CreateKey("grant-key");
  TokenSpec wrap;
  wrap.client_id = kWrapOnlyClientId;
  TestHttpsClient c = vault_->Client(wrap);
  const std::string path = WithApi("/keys/grant-key/" + v + "/wrapkey");
  const std::string body = R"({"alg":"RSA-OAEP","value":"AAAA"})";
  ASSERT_EQ(c.Send("POST", path, body).status, 200);
  VaultSimAdminClient admin = vault_->Admin();
  ASSERT_TRUE(admin.Revoke(kWrapOnlyClientId, {"wrapKey"}));
  TestResponse denied = c.Send("POST", path, body);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.ErrorMessage().find("does not have keys wrapKey permission"), std::string::npos);
  ASSERT_TRUE(admin.Grant(kWrapOnlyClientId, {"wrapkey"}));  // case-insensitive
  EXPECT_EQ(c.Send("POST", path, body).status, 200);
  EXPECT_FALSE(admin.Grant(kWrapOnlyClientId, {"fly"}));
}

TEST_F(AuthTest, FirewallDenyAndAdminAuth) {
  VaultSimAdminClient admin = vault_->Admin();
  ASSERT_TRUE(admin.SetFirewallDeny(true));
  TestResponse r = Call("GET", "/keys/k");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.ErrorCode(), "Forbidden");
  EXPECT_EQ(r.InnerErrorCode(), "ForbiddenByFirewall");
  EXPECT_EQ(r.ErrorMessage(), "Client address (127.0.0.1) is not authorized and caller is not a trusted service");
  ASSERT_TRUE(admin.SetFirewallDeny(false));
  EXPECT_EQ(Call("GET", "/keys/k").status, 404);

  VaultSimAdminClient wrong(vault_->host(), vault_->admin_port(), vault_->pki().ca(), "not-the-token");
  EXPECT_FALSE(wrong.SetFirewallDeny(true));
  EXPECT_EQ(wrong.last_response().status, 401);
  EXPECT_EQ(Call("GET", "/keys/k").status, 404);
}

TEST_F(AuthTest, TlsIsVerifiedAgainstTheHostName) {
  // Right CA, wrong name: the handshake must fail (no insecure fallback).
  TestHttpsClient wrong_name(kWestUsHost, vault_->port(), vault_->pki().ca());
  TestResponse r = wrong_name.Send("GET", WithApi("/keys/k"));
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.transport_error.empty());
  // Another CA: fails too.
  TestPkiFiles other({kEastUsHost}, 0);
  TestHttpsClient wrong_ca(kEastUsHost, vault_->port(), other.ca());
  EXPECT_EQ(wrong_ca.Send("GET", WithApi("/keys/k")).status, 0);
}

}  // namespace
}  // namespace geoekm::testing
