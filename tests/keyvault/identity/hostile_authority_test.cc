// The token authority as a recording server over TLS on loopback: which
// tenant's token endpoint receives the client secret when a vault's
// challenge names a tenant, and that a token answer dripped a byte at a
// time ends at the caller's deadline.
#include <gtest/gtest.h>

#include "core/error_codes.h"
#include "tests/support/hostile_server.h"
#include "tests/support/test_pki_files.h"
#include "keyvault/identity/vault_authenticator.h"

namespace geoekm {
namespace {

using testing::HostileServer;
using testing::ReceivedRequest;
using testing::Responder;
using namespace std::chrono_literals;

constexpr char kTenant[] = "00000000-0000-0000-0000-0000000000aa";
constexpr char kOtherTenant[] = "00000000-0000-0000-0000-0000000000bb";
constexpr char kVaultHost[] = "geoekm-eastus.vault.test";
constexpr char kSecret[] = "hostile-authority-secret-value";

const std::string kTokenAnswer = HostileServer::Answer(
    200, "OK", R"({"token_type":"Bearer","expires_in":3599,"access_token":"opaque-test-token-value"})",
    {{"Content-Type", "application/json"}});

std::string ChallengeNaming(const std::string& tenant) {
  return "Bearer authorization=\"https://login.microsoftonline.com/" + tenant + "\", resource=\"https://vault.test\"";
}

CredentialOptions ConfigFor(const HostileServer& authority) {
  CredentialOptions auth;
  auth.tenant = kTenant;
  auth.authority_host = "https://" + std::string(testing::kLoginHost) + ":" + std::to_string(authority.port());
  auth.connect_to_host = "127.0.0.1";
  auth.connect_to_port = authority.port();
  auth.ca_bundle = testing::TestPkiFiles::Shared().ca();
  auth.client_id = "11111111111111111111111111111111";
  auth.client_secret = SecureString(kSecret);
  return auth;
}

Result<SecureString> TokenFor(const CredentialOptions& config, const std::string& challenge, Deadline deadline) {
  auto auth = VaultAuthenticator::Create(config);
  if (!auth.ok()) return auth.status();
  return (*auth)->OnChallenge(kVaultHost, challenge, "", deadline);
}

class HostileAuthorityTest : public ::testing::Test {
 protected:
  HostileServer authority_{testing::kLoginHost, [](const ReceivedRequest&, Responder& r) { r.Write(kTokenAnswer); }};
};

TEST_F(HostileAuthorityTest, ConfiguredTenantGetsTheCredential) {
  auto token = TokenFor(ConfigFor(authority_), ChallengeNaming(kTenant), Deadline::After(10s));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ASSERT_EQ(authority_.requests().size(), 1u);
  EXPECT_EQ(authority_.requests()[0].target, std::string("/") + kTenant + "/oauth2/v2.0/token");
  EXPECT_EQ(authority_.requests()[0].header("User-Agent").rfind("geoekm/", 0), 0u);
}

// A 401 naming another tenant must not make the secret travel to that
// tenant's token endpoint.
TEST_F(HostileAuthorityTest, ChallengeNamingAnotherTenantSendsNoCredential) {
  auto token = TokenFor(ConfigFor(authority_), ChallengeNaming(kOtherTenant), Deadline::After(10s));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kChallengeTenantNotAllowed) << token.status().ToString();
  EXPECT_EQ(token.status().error_class(), ErrorClass::kAuth);
  EXPECT_NE(token.status().message().find(kOtherTenant), std::string::npos) << token.status().ToString();
  EXPECT_TRUE(authority_.requests().empty());
}

// "%2e%2e" decodes to "..": POST /../oauth2/... must never be sent, even
// with any tenant allowed.
TEST_F(HostileAuthorityTest, DotDotTenantIsRefused) {
  CredentialOptions config = ConfigFor(authority_);
  config.additionally_allowed_tenants = {"*"};
  auto token = TokenFor(config, ChallengeNaming("%2e%2e"), Deadline::After(10s));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kChallengeMalformed) << token.status().ToString();
  EXPECT_TRUE(authority_.requests().empty());
}

TEST_F(HostileAuthorityTest, AdditionallyAllowedTenantGetsItsToken) {
  CredentialOptions config = ConfigFor(authority_);
  config.additionally_allowed_tenants = {kOtherTenant};
  auto token = TokenFor(config, ChallengeNaming(kOtherTenant), Deadline::After(10s));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ASSERT_EQ(authority_.requests().size(), 1u);
  EXPECT_EQ(authority_.requests()[0].target, std::string("/") + kOtherTenant + "/oauth2/v2.0/token");
}

// The token answer a byte per 200 ms: the fetch ends at the 1 s deadline.
TEST(HostileAuthorityDrip, DrippedTokenAnswerEndsAtTheDeadline) {
  HostileServer authority(testing::kLoginHost, [](const ReceivedRequest&, Responder& r) { r.Drip(kTokenAnswer, 200ms); });
  auto start = Clock::now();
  auto token = TokenFor(ConfigFor(authority), ChallengeNaming(kTenant), Deadline::After(1000ms));
  auto took = Clock::now() - start;
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kDeadlineExceeded) << token.status().ToString();
  EXPECT_LT(took, 2500ms);
}

}  // namespace
}  // namespace geoekm
