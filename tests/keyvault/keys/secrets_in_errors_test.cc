// Secrets never reach a Status (docs/ARCHITECTURE.md, invariant 5): real failures of every
// kind against a testbed (5xx, 400, 429, reset, blackhole, 403 permission and
// firewall, 404, bad ciphertext, malformed backup, wrong CA), each checked for
// the bearer token the client really sent, the client secret and the DEK.
// (Vaults echoing secrets: secret_redaction_test.cc.)
#include <gtest/gtest.h>

#include <vector>

#include "config/config_loader.h"
#include "core/base64url.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"
#include "keyvault/keys/key_vault_client.h"
#include "provider/runtime/key_vault_client_factory.h"
#include "tests/support/soon.h"

namespace geoekm {
namespace {

using testing::Soon;

// Real failures of every kind; the token is the one the client really sent.
TEST(SecretsInErrorsIntegration, NoFailureCarriesTokenSecretOrDek) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  const testing::TestbedInfo& info = (*tb)->info();
  auto config = LoadVaultSetConfig(info.geoekm_ini);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config->router.retry_base_delay = Millis(5);
  config->router.retry_max_delay = Millis(20);
  const VaultConfig& east = config->vaults.front();
  auto auth = VaultAuthenticator::Create(config->auth);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  KeyVaultClientOptions no_throttle_retry;
  no_throttle_retry.retry_throttled = false;
  auto client = MakeKeyVaultClient(east, config->router, *auth, no_throttle_retry);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  KeyVaultClient& c = **client;
  const std::string version = info.key_copies.front().version;
  const SecureBytes dek(32, 0x5a);
  const std::string dek_b64 = Base64UrlEncode(dek);
  auto wrapped = c.WrapKey(info.key_name, version, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  auto token = (*auth)->CachedOrFreshToken(east.host, Soon());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  const std::string bearer(token->data(), token->size());
  ASSERT_GT(bearer.size(), 40u);

  std::vector<Status> failures;
  auto expect_failure = [&](const auto& result, const char* what) {
    EXPECT_FALSE(result.ok()) << what;
    if (!result.ok()) failures.push_back(result.status());
  };
  auto wrap = [&] { return c.WrapKey(info.key_name, version, WrapAlgorithm::kRsaOaep256, dek, Soon()); };
  testing::VaultSimAdminClient admin(east.host, info.Vault(east.name).admin_port, info.ca_bundle,
                                     info.Vault(east.name).admin_token);

  ASSERT_TRUE(admin.SetErrorRate(503, 1.0));
  expect_failure(wrap(), "503");
  ASSERT_TRUE(admin.SetErrorRate(400, 1.0));
  expect_failure(wrap(), "400");
  ASSERT_TRUE(admin.ClearFaults());
  ASSERT_TRUE(admin.SetThrottleStorm(true, true, 1));
  expect_failure(wrap(), "429");
  ASSERT_TRUE(admin.ClearFaults());
  ASSERT_TRUE(admin.SetReset(1.0));
  expect_failure(wrap(), "reset");
  ASSERT_TRUE(admin.ClearFaults());
  ASSERT_TRUE(admin.SetBlackhole(true));
  expect_failure(c.WrapKey(info.key_name, version, WrapAlgorithm::kRsaOaep256, dek,
                           Deadline::After(Millis(600))),
                 "blackhole");
  ASSERT_TRUE(admin.ClearFaults());
  ASSERT_TRUE(admin.Revoke(info.client_id, {"wrapKey"}));
  expect_failure(wrap(), "403 permission");
  ASSERT_TRUE(admin.Grant(info.client_id, {"wrapKey"}));
  ASSERT_TRUE(admin.SetFirewallDeny(true));
  expect_failure(wrap(), "403 firewall");
  ASSERT_TRUE(admin.SetFirewallDeny(false));
  expect_failure(c.WrapKey(info.key_name, "0123456789abcdef0123456789abcdef", WrapAlgorithm::kRsaOaep256, dek,
                           Soon()),
                 "404 version");
  Bytes garbage(256, 0x01);
  expect_failure(c.UnwrapKey(info.key_name, version, WrapAlgorithm::kRsaOaep256, garbage, Soon()), "bad ciphertext");
  expect_failure(c.RestoreKey("bm90LWEtYmFja3Vw", Soon()), "malformed backup");

  VaultConfig wrong_ca = east;
  wrong_ca.ca_bundle.clear();
  auto tls = MakeKeyVaultClient(wrong_ca, config->router, *auth);
  ASSERT_TRUE(tls.ok());
  expect_failure((*tls)->WrapKey(info.key_name, version, WrapAlgorithm::kRsaOaep256, dek, Soon()), "wrong CA");

  ASSERT_EQ(failures.size(), 11u);
  for (const Status& s : failures) {
    const std::string text = s.ToString();
    EXPECT_EQ(text.find(bearer), std::string::npos) << text;
    EXPECT_EQ(text.find(bearer.substr(bearer.size() - 30)), std::string::npos) << "token signature in: " << text;
    EXPECT_EQ(text.find((*tb)->ClientSecret()), std::string::npos) << text;
    EXPECT_EQ(text.find(dek_b64), std::string::npos) << "DEK in: " << text;
    EXPECT_EQ(text.find("Bearer "), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace geoekm
