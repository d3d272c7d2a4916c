// The same vault set in INI and JSON loads to the same VaultSetConfig, field
// by field; the shipped examples are valid and describe the same set.
#include <gtest/gtest.h>

#include "tests/config/config_test_support.h"

namespace geoekm::testing {
namespace {

void ExpectSameConfig(const VaultSetConfig& a, const VaultSetConfig& b) {
  EXPECT_EQ(a.provider.set_name, b.provider.set_name);
  EXPECT_EQ(a.provider.key_names, b.provider.key_names);
  EXPECT_EQ(a.provider.wrap_algorithm, b.provider.wrap_algorithm);
  EXPECT_EQ(a.provider.state_path, b.provider.state_path);
  EXPECT_EQ(a.provider.log_level, b.provider.log_level);
  EXPECT_EQ(a.provider.log_file, b.provider.log_file);
  EXPECT_EQ(a.provider.single_vault, b.provider.single_vault);
  ASSERT_EQ(a.vaults.size(), b.vaults.size());
  for (std::size_t i = 0; i < a.vaults.size(); ++i) {
    SCOPED_TRACE("vault " + std::to_string(i));
    const VaultConfig& x = a.vaults[i];
    const VaultConfig& y = b.vaults[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.url, y.url);
    EXPECT_EQ(x.host, y.host);
    EXPECT_EQ(x.port, y.port);
    EXPECT_EQ(x.region, y.region);
    EXPECT_EQ(x.geography, y.geography);
    EXPECT_EQ(x.priority, y.priority);
    EXPECT_EQ(x.connect_to_host, y.connect_to_host);
    EXPECT_EQ(x.connect_to_port, y.connect_to_port);
    EXPECT_EQ(x.ca_bundle, y.ca_bundle);
    EXPECT_EQ(x.connect_timeout, y.connect_timeout);
    EXPECT_EQ(x.try_timeout, y.try_timeout);
  }
  const AuthConfig& p = a.auth;
  const AuthConfig& q = b.auth;
  EXPECT_EQ(p.tenant, q.tenant);
  EXPECT_EQ(p.authority_host, q.authority_host);
  EXPECT_EQ(p.kind, q.kind);
  EXPECT_EQ(p.endpoint_version, q.endpoint_version);
  EXPECT_EQ(p.client_id, q.client_id);
  EXPECT_TRUE(p.client_secret == q.client_secret);
  EXPECT_EQ(p.client_secret_file, q.client_secret_file);
  EXPECT_EQ(p.certificate_file, q.certificate_file);
  EXPECT_EQ(p.certificate_key_file, q.certificate_key_file);
  EXPECT_EQ(p.certificate_password_file, q.certificate_password_file);
  EXPECT_EQ(p.managed_identity_client_id, q.managed_identity_client_id);
  EXPECT_EQ(p.managed_identity_endpoint, q.managed_identity_endpoint);
  EXPECT_EQ(p.ca_bundle, q.ca_bundle);
  EXPECT_EQ(p.connect_to_host, q.connect_to_host);
  EXPECT_EQ(p.connect_to_port, q.connect_to_port);
  const RouterTuning& r = a.router;
  const RouterTuning& s = b.router;
  EXPECT_EQ(r.hedge_delay_floor, s.hedge_delay_floor);
  EXPECT_EQ(r.hedge_delay_cap, s.hedge_delay_cap);
  EXPECT_EQ(r.hedge_latency_factor, s.hedge_latency_factor);
  EXPECT_EQ(r.hedging_enabled, s.hedging_enabled);
  EXPECT_EQ(r.consecutive_failures_to_eject, s.consecutive_failures_to_eject);
  EXPECT_EQ(r.error_rate_to_eject, s.error_rate_to_eject);
  EXPECT_EQ(r.error_rate_window, s.error_rate_window);
  EXPECT_EQ(r.probe_interval, s.probe_interval);
  EXPECT_EQ(r.probe_interval_max, s.probe_interval_max);
  EXPECT_EQ(r.failback_hysteresis, s.failback_hysteresis);
  EXPECT_EQ(r.max_retries, s.max_retries);
  EXPECT_EQ(r.retry_base_delay, s.retry_base_delay);
  EXPECT_EQ(r.retry_max_delay, s.retry_max_delay);
  EXPECT_EQ(r.retry_budget_ratio, s.retry_budget_ratio);
  EXPECT_EQ(r.retry_budget_min_per_second, s.retry_budget_min_per_second);
  EXPECT_EQ(r.operation_deadline, s.operation_deadline);
  EXPECT_EQ(r.connect_timeout, s.connect_timeout);
  EXPECT_EQ(r.try_timeout, s.try_timeout);
  EXPECT_EQ(r.verification_ttl, s.verification_ttl);
  EXPECT_EQ(a.warnings.size(), b.warnings.size());
}

TEST(ConfigEquivalenceTest, SameSetInBothSyntaxesLoadsTheSame) {
  TempConfigDir dir;
  dir.Write("ca.pem", "ca", 0644);
  dir.Write("secret.txt", "s", 0600);
  ConfigSpec spec = ConfigSpec::Valid();
  spec.Set("provider", "key_names", List({"tde-a", "tde-b-with-a-name-longer-than-26"}))
      .Set("provider", "wrap_algorithm", Str("RSA-OAEP"))
      .Set("provider", "log_level", Str("warning"))
      .Set("provider", "log_file", Str("geoekm.log"))
      .Set("vault.westus", "connect_to", Str("127.0.0.1:8443"))
      .Set("vault.westus", "ca_bundle", Str("ca.pem"))
      .Set("vault.westus", "connect_timeout_ms", Num("700"))
      .Set("vault.japaneast", "geography", Str("jp"))
      .Set("vault.japaneast", "try_timeout_ms", Num("15000"))
      .Remove("auth", "managed_identity")
      .Set("auth", "client_id", Str("01234567-89ab-cdef-0123-456789abcdef"))
      .Set("auth", "client_secret_file", Str("secret.txt"))
      .Set("auth", "token_endpoint", Str("v1"))
      .Set("auth", "authority_host", Str("https://login.example:9444/"))
      .Set("auth", "connect_to", Str("localhost:9444"))
      .Set("router", "hedge_latency_factor", Num("1.5"))
      .Set("router", "hedging_enabled", Bool(false))
      .Set("router", "retry_budget_ratio", Num("0.1"))
      .Set("router", "verification_ttl_s", Num("120"));
  Result<VaultSetConfig> ini = LoadVaultSetConfig(WriteSpec(dir, spec, ConfigSyntax::kIni));
  Result<VaultSetConfig> json = LoadVaultSetConfig(WriteSpec(dir, spec, ConfigSyntax::kJson));
  ASSERT_TRUE(ini.ok()) << ini.status().message();
  ASSERT_TRUE(json.ok()) << json.status().message();
  ExpectSameConfig(*ini, *json);
  // And the values are the non-defaults we wrote.
  EXPECT_EQ(ini->vaults[1].connect_to_port, 8443);
  EXPECT_EQ(ini->vaults[2].geography, "JP");
  EXPECT_EQ(ini->auth.authority_host, "https://login.example:9444");
  EXPECT_FALSE(ini->router.hedging_enabled);
  EXPECT_EQ(ini->warnings.size(), 1u);
}

TEST(ConfigExamplesTest, ExamplesAreValidAndDescribeTheSameSet) {
  Result<VaultSetConfig> ini = LoadVaultSetConfig(GEOEKM_EXAMPLES_DIR "/vaults.ini");
  Result<VaultSetConfig> json = LoadVaultSetConfig(GEOEKM_EXAMPLES_DIR "/vaults.json");
  ASSERT_TRUE(ini.ok()) << ini.status().message();
  ASSERT_TRUE(json.ok()) << json.status().message();
  ExpectSameConfig(*ini, *json);
  ASSERT_EQ(ini->vaults.size(), 3u);
  EXPECT_EQ(ini->vaults[0].region, "eastus");
  EXPECT_EQ(ini->vaults[0].geography, "US");
  EXPECT_EQ(ini->vaults[1].region, "westus");
  EXPECT_EQ(ini->vaults[1].geography, "US");
  EXPECT_EQ(ini->vaults[2].region, "japaneast");
  EXPECT_EQ(ini->vaults[2].geography, "JP");
  EXPECT_EQ(ini->auth.kind, CredentialKind::kManagedIdentity);
  EXPECT_TRUE(ini->warnings.empty());
}

}  // namespace
}  // namespace geoekm::testing
