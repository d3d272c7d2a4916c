// Integration tests of VaultAuthenticator against real vaultsim processes
// over verified TLS on loopback: the testbed's login service (client secret
// v2/v1, PEM and PFX certificates, IMDS and App Service managed identity,
// wrong secret/tenant) and vaults that challenge and accept the tokens; plus
// a login service of our own issuing 4-second tokens for the refresh test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "core/error_codes.h"
#include "tests/keyvault/identity/child_process.h"
#include "tests/keyvault/identity/jwt_inspection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki_files.h"
#include "tests/support/testbed_suite.h"
#include "keyvault/identity/vault_authenticator.h"
#include "keyvault/http/https_transport.h"

namespace geoekm {
namespace {

using testing::TestbedSuite;

SecureString Secure(const std::string& s) { return SecureString(s.begin(), s.end()); }

class AuthIntegrationTest : public TestbedSuite {
 protected:
  // The authority exactly as geoekm's config would name it.
  static CredentialOptions SecretConfig() {
    CredentialOptions auth;
    auth.tenant = info().tenant;
    auth.authority_host = info().login_url;
    auth.connect_to_host = "127.0.0.1";
    auth.connect_to_port = info().login_port;
    auth.ca_bundle = info().ca_bundle;
    auth.client_id = info().client_id;
    auth.client_secret = Secure(testbed().ClientSecret());
    return auth;
  }
  static CredentialOptions CertificateConfig() {
    CredentialOptions auth = SecretConfig();
    auth.kind = CredentialKind::kCertificate;
    auth.client_secret.clear();
    return auth;
  }
  static CredentialOptions ManagedIdentityConfig() {
    CredentialOptions auth;
    auth.tenant = info().tenant;
    auth.kind = CredentialKind::kManagedIdentity;
    auth.managed_identity_endpoint = info().imds_endpoint;
    return auth;
  }

  static const testing::TestbedVaultInfo& East() { return info().vaults.at(0); }

  static std::string Challenge() {
    return "Bearer authorization=\"" + info().authority + "\", resource=\"" + info().resource + "\"";
  }

  // The token is an RS256 JWT from the login service for our resource and tenant.
  static void ExpectGenuineToken(const SecureString& token) {
    DecodedJwt jwt = DecodeJwt(std::string_view(token));
    ASSERT_FALSE(jwt.claims.isNull());
    EXPECT_TRUE(VerifyRs256WithPemFile(info().signing_cert_file, jwt.signing_input, jwt.signature));
    EXPECT_EQ(jwt.claims->optValue<std::string>("aud", ""), info().resource);
    EXPECT_EQ(jwt.claims->optValue<std::string>("tid", ""), info().tenant);
    EXPECT_EQ(jwt.claims->optValue<std::string>("appid", ""), info().client_id);
  }

  static Result<SecureString> TokenVia(const CredentialOptions& auth, std::shared_ptr<VaultAuthenticator>* keep = nullptr) {
    auto authenticator = VaultAuthenticator::Create(auth);
    if (!authenticator.ok()) return authenticator.status();
    if (keep) *keep = authenticator.value();
    return authenticator.value()->OnChallenge(East().host, Challenge(), "", Deadline::After(Millis(20000)));
  }

  // TokenVia(auth) succeeds with a genuine token.
  static void ExpectGenuineTokenVia(const CredentialOptions& auth) {
    auto token = TokenVia(auth);
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    ExpectGenuineToken(token.value());
  }

  static std::shared_ptr<HttpsTransport> VaultTransport(const testing::TestbedVaultInfo& vault) {
    HttpsOrigin origin;
    origin.host = vault.host;
    origin.port = vault.port;
    origin.connect_to_host = "127.0.0.1";
    origin.connect_to_port = vault.port;
    origin.ca_bundle = info().ca_bundle;
    auto transport = HttpsTransport::Create(origin);
    EXPECT_TRUE(transport.ok()) << transport.status().ToString();
    return transport.ok() ? transport.value() : nullptr;
  }
};

// The whole flow against real vaults: unauthenticated request -> 401 with
// WWW-Authenticate -> OnChallenge -> the vault accepts the bearer token; the
// second vault of the set reuses the cached token; a rejected token is
// replaced once.
TEST_F(AuthIntegrationTest, VaultChallengeFlow) {
  auto auth = VaultAuthenticator::Create(SecretConfig()).value();
  for (const auto& vault : {info().vaults.at(0), info().vaults.at(1)}) {
    auto transport = VaultTransport(vault);
    ASSERT_NE(transport, nullptr);
    HttpRequest get;
    get.target = "/keys/" + info().key_name + "?api-version=7.4";
    auto first = transport->Send(get, Deadline::After(Millis(10000)));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_EQ(first->status, 401);
    std::string challenge(first->header("WWW-Authenticate"));
    auto token = auth->OnChallenge(vault.host, challenge, "", Deadline::After(Millis(10000)));
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    get.headers = {{"Authorization", "Bearer " + std::string(token.value().begin(), token.value().end())}};
    auto second = transport->Send(get, Deadline::After(Millis(10000)));
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(second->status, 200) << second->body;
  }
  EXPECT_EQ(auth->stats().token_fetches, 1u);  // one token for both vaults
  EXPECT_EQ(auth->stats().challenges_accepted, 2u);

  auto cached = auth->CachedOrFreshToken(East().host, Deadline::After(Millis(10000)));
  ASSERT_TRUE(cached.ok());
  auto fresh = auth->OnChallenge(East().host, Challenge(), std::string_view(cached.value()),
                                 Deadline::After(Millis(10000)));
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(auth->stats().token_fetches, 2u);  // (vaultsim tokens of the same second are byte-identical)
}

TEST_F(AuthIntegrationTest, ClientSecretV2AndV1) {
  std::shared_ptr<VaultAuthenticator> auth;
  auto v2 = TokenVia(SecretConfig(), &auth);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  ExpectGenuineToken(v2.value());
  auto again = auth->CachedOrFreshToken(East().host, Deadline::After(Millis(5000)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), v2.value());
  EXPECT_EQ(auth->stats().token_fetches, 1u);

  CredentialOptions v1_config = SecretConfig();
  v1_config.endpoint_version = TokenEndpointVersion::kV1;
  ExpectGenuineTokenVia(v1_config);
}

TEST_F(AuthIntegrationTest, ClientSecretFromFile) {
  CredentialOptions config = SecretConfig();
  config.client_secret.clear();
  config.client_secret_file = info().client_secret_file;
  ExpectGenuineTokenVia(config);
}

TEST_F(AuthIntegrationTest, PemCertificateCombinedAndSplit) {
  CredentialOptions combined = CertificateConfig();
  combined.certificate_file = info().client_certificate_file;
  ASSERT_NO_FATAL_FAILURE(ExpectGenuineTokenVia(combined));

  CredentialOptions split = CertificateConfig();
  split.certificate_file = info().client_certificate_cert_file;
  split.certificate_key_file = info().client_certificate_key_file;
  ExpectGenuineTokenVia(split);
}

TEST_F(AuthIntegrationTest, PfxCertificate) {
  CredentialOptions config = CertificateConfig();
  config.certificate_file = info().client_pfx_file;
  config.certificate_password_file = info().client_pfx_password_file;
  ExpectGenuineTokenVia(config);
}

TEST_F(AuthIntegrationTest, UnregisteredCertificateIs3303) {
  // A certificate the login service does not know for this app.
  const auto& pki = testing::TestPkiFiles::Shared();
  CredentialOptions config = CertificateConfig();
  config.certificate_file = pki.client_pem(2);
  auto token = TokenVia(config);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kTokenBadCredentials) << token.status().ToString();
}

TEST_F(AuthIntegrationTest, ManagedIdentityViaImds) {
  ASSERT_NO_FATAL_FAILURE(ExpectGenuineTokenVia(ManagedIdentityConfig()));  // the identity's tokens carry the app id

  CredentialOptions user_assigned = ManagedIdentityConfig();
  user_assigned.managed_identity_client_id = info().managed_identity_client_id;
  auto named = TokenVia(user_assigned);
  ASSERT_TRUE(named.ok()) << named.status().ToString();

  user_assigned.managed_identity_client_id = "55555555555555555555555555555555";
  auto unknown = TokenVia(user_assigned);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().error_class(), ErrorClass::kAuth) << unknown.status().ToString();
}

TEST_F(AuthIntegrationTest, AppServiceManagedIdentityFromEnvironment) {
  setenv("IDENTITY_ENDPOINT", info().app_service_endpoint.c_str(), 1);
  setenv("IDENTITY_HEADER", info().identity_header.c_str(), 1);
  CredentialOptions config;
  config.tenant = info().tenant;
  config.kind = CredentialKind::kManagedIdentity;
  auto token = TokenVia(config);
  setenv("IDENTITY_HEADER", "wrong-header-value", 1);
  auto refused = TokenVia(config);
  unsetenv("IDENTITY_ENDPOINT");
  unsetenv("IDENTITY_HEADER");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().ToString().find("wrong-header-value"), std::string::npos);
}

TEST_F(AuthIntegrationTest, WrongSecretIs3303AndNeverQuoted) {
  CredentialOptions config = SecretConfig();
  const std::string wrong = "Wr0ng~secret-value-xyz";
  config.client_secret = Secure(wrong);
  std::shared_ptr<VaultAuthenticator> auth;
  auto token = TokenVia(config, &auth);
  ASSERT_FALSE(token.ok());
  std::string text = token.status().ToString();
  EXPECT_EQ(token.status().code(), codes::kTokenBadCredentials) << text;
  EXPECT_EQ(token.status().error_class(), ErrorClass::kAuth);
  EXPECT_EQ(text.find(wrong), std::string::npos) << text;
  EXPECT_EQ(text.find(testbed().ClientSecret()), std::string::npos);
  EXPECT_NE(text.find("check the client id"), std::string::npos) << text;
  EXPECT_EQ(auth->stats().token_failures, 1u);
}

// Only a tenant the config allows is asked; the login service does not know this one.
TEST_F(AuthIntegrationTest, UnknownAllowedTenantFromChallengeIs3303) {
  CredentialOptions config = SecretConfig();
  config.additionally_allowed_tenants = {"ffffffff-0000-0000-0000-000000000000"};
  auto auth = VaultAuthenticator::Create(config).value();
  std::string challenge = "Bearer authorization=\"https://login.example/ffffffff-0000-0000-0000-000000000000\", "
                          "resource=\"" + info().resource + "\"";
  auto token = auth->OnChallenge(East().host, challenge, "", Deadline::After(Millis(20000)));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kTokenBadCredentials) << token.status().ToString();
}

TEST_F(AuthIntegrationTest, ChallengeFromAnotherDomainFetchesNothing) {
  auto auth = VaultAuthenticator::Create(SecretConfig()).value();
  auto token = auth->OnChallenge("geoekm-eastus.evil-vault.test", Challenge(), "", Deadline::After(Millis(20000)));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kChallengeDomainMismatch);
  EXPECT_EQ(auth->stats().token_fetches + auth->stats().token_failures, 0u);
}

// A login service of our own that issues 4-second tokens: every token handed
// out is still valid by its own exp claim, refreshed ahead at half-life.
TEST(AuthShortTokenTest, ShortLivedTokensAreRefreshedTransparently) {
  const auto& pki = testing::TestPkiFiles::Shared();
  testing::TempDir dir("geoekm-auth-login");
  const std::string tenant = "00000000-0000-0000-0000-0000000000aa";
  const std::string client_id = "11111111111111111111111111111111";
  const std::string secret = "short-lived-secret-value";
  std::ofstream(dir.File("login.json")) << R"({
    "host": "login.vault.test", "port": 0, "port_file": ")" + dir.File("login.port") + R"(",
    "tls_cert": ")" + pki.server_cert(testing::kLoginHost) + R"(",
    "tls_key": ")" + pki.server_key(testing::kLoginHost) + R"(",
    "signing_key": ")" + pki.signing_key() + R"(", "signing_cert": ")" + pki.signing_cert() + R"(",
    "tenants": [")" + tenant + R"("], "resources": ["https://vault.test"], "token_lifetime_seconds": 4,
    "apps": [{"client_id": ")" + client_id + R"(", "tenant": ")" + tenant + R"(", "secrets": [")" + secret + R"("]}]
  })";
  ChildProcess login({testing::Testbed::VaultsimBinary(), "login", "--config", dir.File("login.json")},
                     dir.File("login.log"));
  int port = WaitForPortFile(dir.File("login.port"), login, std::chrono::seconds(30));
  ASSERT_GT(port, 0) << ReadFileText(dir.File("login.log"));

  CredentialOptions config;
  config.tenant = tenant;
  config.authority_host = "https://login.vault.test:" + std::to_string(port);
  config.connect_to_host = "127.0.0.1";
  config.connect_to_port = port;
  config.ca_bundle = pki.ca();
  config.client_id = client_id;
  config.client_secret = Secure(secret);
  auto auth = VaultAuthenticator::Create(config).value();
  std::string challenge = "Bearer authorization=\"https://login.windows.net/" + tenant +
                          "\", resource=\"https://vault.test\"";
  ASSERT_TRUE(auth->OnChallenge("kv.vault.test", challenge, "", Deadline::After(Millis(20000))).ok());
  std::set<std::string> distinct;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(6500);
  while (std::chrono::steady_clock::now() < until) {
    auto token = auth->CachedOrFreshToken("kv.vault.test", Deadline::After(Millis(10000)));
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    DecodedJwt jwt = DecodeJwt(std::string_view(token.value()));
    ASSERT_FALSE(jwt.claims.isNull());
    std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_GT(jwt.claims->getValue<Poco::Int64>("exp"), now);
    distinct.insert(std::string(token.value().begin(), token.value().end()));
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_GE(distinct.size(), 2u);
  EXPECT_GE(auth->stats().token_fetches, 2u);
  EXPECT_LE(auth->stats().token_fetches, 6u);  // refreshes, not one fetch per call
}

}  // namespace
}  // namespace geoekm
