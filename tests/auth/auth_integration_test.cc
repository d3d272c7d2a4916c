// Integration tests of VaultAuthenticator against real vaultsim processes
// over real TLS on loopback: the login service (client secret v2/v1, PEM and
// PFX certificates, IMDS managed identity, wrong secret, short-lived tokens)
// and a vault that challenges and accepts the tokens.
#include <gtest/gtest.h>

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <fstream>
#include <set>
#include <thread>

#include "core/error_codes.h"
#include "tests/auth/child_process.h"
#include "tests/auth/jwt_inspection.h"
#include "vault_router/auth/vault_authenticator.h"
#include "vault_router/http/https_transport.h"

namespace geoekm {
namespace {

const std::string kTenant = "00000000-0000-0000-0000-0000000000aa";
const std::string kClientId = "11111111111111111111111111111111";
const std::string kCertClientId = "33333333333333333333333333333333";
const std::string kSecret = "Gk8Q~integration-secret-value";
const std::string kMiClientId = "44444444444444444444444444444444";
const std::string kLoginHost = "login.vault.test";
const std::string kVaultHost = "kv1.vault.test";
const std::string kResource = "https://vault.test";

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

struct VaultProcess {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
};

struct LoginProcess {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  int mi_port = 0;
};

class AuthIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(Poco::TemporaryFile::tempName());
    Poco::File(*dir_).createDirectories();
    const std::string& d = *dir_;
    ChildProcess pki({VAULTSIM_BINARY, "pki", "--out", d + "/pki", "--hosts", kLoginHost + "," + kVaultHost,
                      "--client-certs", "1"},
                     d + "/pki.log");
    ASSERT_EQ(pki.Wait(std::chrono::seconds(60)), 0) << ReadFileText(d + "/pki.log");
    login_ = new LoginProcess(StartLogin("login", 3599));
    short_login_ = new LoginProcess(StartLogin("short", 4));
    ASSERT_GT(login_->port, 0);
    ASSERT_GT(short_login_->port, 0);
    vault_ = new VaultProcess(StartVault());
    ASSERT_GT(vault_->port, 0) << ReadFileText(d + "/vault.log");
  }

  static void TearDownTestSuite() {
    delete vault_;
    delete login_;
    delete short_login_;
    vault_ = nullptr;
    login_ = short_login_ = nullptr;
    Poco::File(*dir_).remove(true);
    delete dir_;
  }

  static LoginProcess StartLogin(const std::string& name, int lifetime) {
    const std::string& d = *dir_;
    std::string config = d + "/" + name + ".json";
    WriteFile(config, R"({
      "host": ")" + kLoginHost + R"(", "port": 0, "port_file": ")" + d + "/" + name + R"(.port",
      "tls_cert": ")" + d + "/pki/" + kLoginHost + R"(-cert.pem",
      "tls_key": ")" + d + "/pki/" + kLoginHost + R"(-key.pem",
      "signing_key": ")" + d + R"(/pki/signing-key.pem",
      "signing_cert": ")" + d + R"(/pki/signing-cert.pem",
      "tenants": [")" + kTenant + R"("],
      "resources": [")" + kResource + R"("],
      "token_lifetime_seconds": )" + std::to_string(lifetime) + R"(,
      "apps": [
        {"client_id": ")" + kClientId + R"(", "tenant": ")" + kTenant + R"(", "secrets": [")" + kSecret + R"("]},
        {"client_id": ")" + kCertClientId + R"(", "tenant": ")" + kTenant + R"(",
         "certificates": [")" + d + R"(/pki/client-1-cert.pem"]}
      ],
      "managed_identity": {"port": 0, "port_file": ")" + d + "/" + name + R"(.mi-port",
        "identity_header": "app-service-header-value",
        "identities": [{"client_id": ")" + kMiClientId + R"(", "tenant": ")" + kTenant + R"(",
                        "app_id": ")" + kClientId + R"(", "system_assigned": true}]}
    })");
    LoginProcess p;
    p.process = std::make_unique<ChildProcess>(std::vector<std::string>{VAULTSIM_BINARY, "login", "--config", config},
                                               d + "/" + name + ".log");
    p.port = WaitForPortFile(d + "/" + name + ".port", *p.process, std::chrono::seconds(30));
    p.mi_port = WaitForPortFile(d + "/" + name + ".mi-port", *p.process, std::chrono::seconds(30));
    return p;
  }

  static VaultProcess StartVault() {
    const std::string& d = *dir_;
    std::string config = d + "/vault.json";
    WriteFile(config, R"({
      "name": "geoekm-auth-test", "region": "eastus", "geography": "us",
      "host": ")" + kVaultHost + R"(", "port": 0, "port_file": ")" + d + R"(/vault.port",
      "resource": ")" + kResource + R"(", "tenant": ")" + kTenant + R"(",
      "authority": "https://)" + kLoginHost + ":" + std::to_string(login_->port) + R"(",
      "token_signing_cert": ")" + d + R"(/pki/signing-cert.pem",
      "tls_cert": ")" + d + "/pki/" + kVaultHost + R"(-cert.pem",
      "tls_key": ")" + d + "/pki/" + kVaultHost + R"(-key.pem",
      "data_dir": ")" + d + R"(/vault-data",
      "admin": {"port": 0, "token": "admin-token-for-auth-tests"},
      "backup_secrets": {"us": "backup-secret-for-auth-tests"},
      "access_policies": {")" + kClientId + R"(": ["get", "list"]}
    })");
    VaultProcess p;
    p.process = std::make_unique<ChildProcess>(std::vector<std::string>{VAULTSIM_BINARY, "vault", "--config", config},
                                               d + "/vault.log");
    p.port = WaitForPortFile(d + "/vault.port", *p.process, std::chrono::seconds(30));
    return p;
  }

  static AuthConfig BaseConfig(const LoginProcess& login) {
    AuthConfig auth;
    auth.tenant = kTenant;
    auth.authority_host = "https://" + kLoginHost + ":" + std::to_string(login.port);
    auth.connect_to_host = "127.0.0.1";
    auth.connect_to_port = login.port;
    auth.ca_bundle = *dir_ + "/pki/ca.pem";
    auth.client_id = kClientId;
    auth.client_secret = SecureString(kSecret.begin(), kSecret.end());
    return auth;
  }

  static std::string Challenge(const LoginProcess& login) {
    return "Bearer authorization=\"https://" + kLoginHost + ":" + std::to_string(login.port) + "/" + kTenant +
           "\", resource=\"" + kResource + "\"";
  }

  // The token is an RS256 JWT from the login service for our resource and tenant.
  static void ExpectGenuineToken(const SecureString& token, const std::string& app_id) {
    DecodedJwt jwt = DecodeJwt(std::string_view(token));
    ASSERT_FALSE(jwt.claims.isNull());
    EXPECT_TRUE(VerifyRs256WithPemFile(*dir_ + "/pki/signing-cert.pem", jwt.signing_input, jwt.signature));
    EXPECT_EQ(jwt.claims->optValue<std::string>("aud", ""), kResource);
    EXPECT_EQ(jwt.claims->optValue<std::string>("tid", ""), kTenant);
    EXPECT_EQ(jwt.claims->optValue<std::string>("appid", ""), app_id);
  }

  static Result<SecureString> TokenVia(const AuthConfig& auth, const LoginProcess& login,
                                       std::shared_ptr<VaultAuthenticator>* keep = nullptr) {
    auto authenticator = VaultAuthenticator::Create(auth);
    if (!authenticator.ok()) return authenticator.status();
    auto token = authenticator.value()->OnChallenge(kVaultHost, Challenge(login), "", Deadline::After(Millis(20000)));
    if (keep) *keep = authenticator.value();
    return token;
  }

  static std::string* dir_;
  static VaultProcess* vault_;
  static LoginProcess* login_;
  static LoginProcess* short_login_;
};

std::string* AuthIntegrationTest::dir_ = nullptr;
VaultProcess* AuthIntegrationTest::vault_ = nullptr;
LoginProcess* AuthIntegrationTest::login_ = nullptr;
LoginProcess* AuthIntegrationTest::short_login_ = nullptr;

TEST_F(AuthIntegrationTest, ClientSecretV2) {
  std::shared_ptr<VaultAuthenticator> auth;
  auto token = TokenVia(BaseConfig(*login_), *login_, &auth);
  ASSERT_TRUE(token.ok()) << token.status().ToString() << "\n" << ReadFileText(*dir_ + "/login.log");
  ExpectGenuineToken(token.value(), kClientId);
  // Later requests reuse it.
  auto again = auth->CachedOrFreshToken(kVaultHost, Deadline::After(Millis(5000)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), token.value());
  EXPECT_EQ(auth->stats().token_fetches, 1u);
}

// The whole flow against a real vault: unauthenticated request -> 401 with
// WWW-Authenticate -> OnChallenge -> the vault accepts the bearer token;
// a rejected (stale) token is replaced once.
TEST_F(AuthIntegrationTest, VaultChallengeFlow) {
  auto auth = VaultAuthenticator::Create(BaseConfig(*login_)).value();
  HttpsOrigin origin;
  origin.host = kVaultHost;
  origin.port = vault_->port;
  origin.connect_to_host = "127.0.0.1";
  origin.connect_to_port = vault_->port;
  origin.ca_bundle = *dir_ + "/pki/ca.pem";
  auto transport = HttpsTransport::Create(origin);
  ASSERT_TRUE(transport.ok()) << transport.status().ToString();
  HttpRequest list;
  list.target = "/keys?api-version=7.4";
  auto first = transport.value()->Send(list, Deadline::After(Millis(10000)));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->status, 401);
  std::string challenge(first->header("WWW-Authenticate"));
  ASSERT_FALSE(challenge.empty());
  auto token = auth->OnChallenge(kVaultHost, challenge, "", Deadline::After(Millis(10000)));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  list.headers = {{"Authorization", "Bearer " + std::string(token.value().begin(), token.value().end())}};
  auto second = transport.value()->Send(list, Deadline::After(Millis(10000)));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status, 200) << second->body;

  // A 401 for the cached token (as after a key rotation at the authority): refreshed once.
  auto fresh = auth->OnChallenge(kVaultHost, challenge, std::string_view(token.value()), Deadline::After(Millis(10000)));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(auth->stats().token_fetches, 2u);  // (vaultsim tokens of the same second are byte-identical)
}

TEST_F(AuthIntegrationTest, ClientSecretV1) {
  AuthConfig config = BaseConfig(*login_);
  config.endpoint_version = TokenEndpointVersion::kV1;
  auto token = TokenVia(config, *login_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value(), kClientId);
}

TEST_F(AuthIntegrationTest, ClientSecretFromFile) {
  AuthConfig config = BaseConfig(*login_);
  config.client_secret.clear();
  config.client_secret_file = *dir_ + "/secret.txt";
  WriteFile(config.client_secret_file, kSecret + "\n");
  auto token = TokenVia(config, *login_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value(), kClientId);
}

TEST_F(AuthIntegrationTest, PemCertificate) {
  AuthConfig config = BaseConfig(*login_);
  config.kind = CredentialKind::kCertificate;
  config.client_id = kCertClientId;
  config.client_secret.clear();
  config.certificate_file = *dir_ + "/pki/client-1.pem";
  auto token = TokenVia(config, *login_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value(), kCertClientId);
}

TEST_F(AuthIntegrationTest, PemCertificateWithSeparateKey) {
  AuthConfig config = BaseConfig(*login_);
  config.kind = CredentialKind::kCertificate;
  config.client_id = kCertClientId;
  config.certificate_file = *dir_ + "/pki/client-1-cert.pem";
  config.certificate_key_file = *dir_ + "/pki/client-1-key.pem";
  auto token = TokenVia(config, *login_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value(), kCertClientId);
}

TEST_F(AuthIntegrationTest, PfxCertificate) {
  AuthConfig config = BaseConfig(*login_);
  config.kind = CredentialKind::kCertificate;
  config.client_id = kCertClientId;
  config.certificate_file = *dir_ + "/pki/client-1.pfx";
  config.certificate_password_file = *dir_ + "/pki/client-1.pfx.password";
  auto token = TokenVia(config, *login_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value(), kCertClientId);
}

TEST_F(AuthIntegrationTest, UnregisteredCertificateIs3303) {
  AuthConfig config = BaseConfig(*login_);
  config.kind = CredentialKind::kCertificate;
  config.client_id = kClientId;  // an app without certificates
  config.certificate_file = *dir_ + "/pki/client-1.pem";
  auto token = TokenVia(config, *login_);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kTokenBadCredentials) << token.status().ToString();
}

TEST_F(AuthIntegrationTest, ManagedIdentityViaImds) {
  AuthConfig config;
  config.kind = CredentialKind::kManagedIdentity;
  config.managed_identity_endpoint = "http://127.0.0.1:" + std::to_string(login_->mi_port);
  auto token = TokenVia(config, *login_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value(), kClientId);  // the identity maps onto the app id
}

TEST_F(AuthIntegrationTest, AppServiceManagedIdentityFromEnvironment) {
  std::string endpoint = "http://127.0.0.1:" + std::to_string(login_->mi_port) + "/msi/token";
  setenv("IDENTITY_ENDPOINT", endpoint.c_str(), 1);
  setenv("IDENTITY_HEADER", "app-service-header-value", 1);
  AuthConfig config;
  config.kind = CredentialKind::kManagedIdentity;
  auto token = TokenVia(config, *login_);
  setenv("IDENTITY_HEADER", "wrong-header-value", 1);
  auto refused = TokenVia(config, *login_);
  unsetenv("IDENTITY_ENDPOINT");
  unsetenv("IDENTITY_HEADER");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectGenuineToken(token.value(), kClientId);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().ToString().find("wrong-header-value"), std::string::npos);
}

TEST_F(AuthIntegrationTest, UserAssignedManagedIdentity) {
  AuthConfig config;
  config.kind = CredentialKind::kManagedIdentity;
  config.managed_identity_endpoint = "http://127.0.0.1:" + std::to_string(login_->mi_port);
  config.managed_identity_client_id = kMiClientId;
  auto token = TokenVia(config, *login_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  config.managed_identity_client_id = "55555555555555555555555555555555";
  auto unknown = TokenVia(config, *login_);
  ASSERT_FALSE(unknown.ok());
}

TEST_F(AuthIntegrationTest, WrongSecretIs3303AndNeverQuoted) {
  AuthConfig config = BaseConfig(*login_);
  const std::string wrong = "Wr0ng~secret-value-xyz";
  config.client_secret = SecureString(wrong.begin(), wrong.end());
  std::shared_ptr<VaultAuthenticator> auth;
  auto token = TokenVia(config, *login_, &auth);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kTokenBadCredentials) << token.status().ToString();
  EXPECT_EQ(token.status().error_class(), ErrorClass::kAuth);
  EXPECT_EQ(token.status().ToString().find(wrong), std::string::npos) << token.status().ToString();
  EXPECT_EQ(token.status().ToString().find(kSecret), std::string::npos);
  EXPECT_NE(token.status().message().find("check the client id"), std::string::npos);
  EXPECT_EQ(auth->stats().token_failures, 1u);
}

TEST_F(AuthIntegrationTest, WrongTenantFromChallengeIs3303) {
  auto auth = VaultAuthenticator::Create(BaseConfig(*login_)).value();
  std::string challenge = "Bearer authorization=\"https://login.example/ffffffff-0000-0000-0000-000000000000\", "
                          "resource=\"" + kResource + "\"";
  auto token = auth->OnChallenge(kVaultHost, challenge, "", Deadline::After(Millis(20000)));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kTokenBadCredentials) << token.status().ToString();
}

TEST_F(AuthIntegrationTest, ChallengeFromAnotherDomainFetchesNothing) {
  auto auth = VaultAuthenticator::Create(BaseConfig(*login_)).value();
  auto token = auth->OnChallenge("kv1.evil-vault.test", Challenge(*login_), "", Deadline::After(Millis(20000)));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), codes::kChallengeDomainMismatch);
  EXPECT_EQ(auth->stats().token_fetches + auth->stats().token_failures, 0u);
}

TEST_F(AuthIntegrationTest, ShortLivedTokensAreRefreshedTransparently) {
  // 4-second tokens: refresh ahead at half-life; every token handed out is
  // still valid by its own exp claim.
  auto auth = VaultAuthenticator::Create(BaseConfig(*short_login_)).value();
  ASSERT_TRUE(auth->OnChallenge(kVaultHost, Challenge(*short_login_), "", Deadline::After(Millis(20000))).ok());
  std::set<std::string> distinct;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(6500);
  while (std::chrono::steady_clock::now() < until) {
    auto token = auth->CachedOrFreshToken(kVaultHost, Deadline::After(Millis(10000)));
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    DecodedJwt jwt = DecodeJwt(std::string_view(token.value()));
    std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_GT(jwt.claims->getValue<Poco::Int64>("exp"), now);
    distinct.insert(std::string(token.value().begin(), token.value().end()));
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_GE(distinct.size(), 2u);
  EXPECT_GE(auth->stats().token_fetches, 2u);
  EXPECT_LE(auth->stats().token_fetches, 6u);  // refreshes, not one per call
}

}  // namespace
}  // namespace geoekm
