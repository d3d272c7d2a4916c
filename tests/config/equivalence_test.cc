// The same vault set in INI and JSON loads to the same VaultSetConfig, field
// by field; the shipped examples are valid and describe the same set.
#include <gtest/gtest.h>

#include <tuple>

#include "tests/config/config_test_support.h"

namespace geoekm::testing {
namespace {

// The loaded fields of each part of a VaultSetConfig, as one tuple that
// EXPECT_EQ compares and prints (the client secret is compared on its own,
// never printed).
auto Fields(const ProviderConfig& p) {
  return std::tie(p.set_name, p.key_names, p.wrap_algorithm, p.state_path, p.log_level, p.log_file, p.single_vault,
                  p.pinned_thumbprints, p.key_size);
}
auto Fields(const VaultConfig& v) {
  return std::tie(v.name, v.url, v.host, v.port, v.region, v.geography, v.priority, v.connect_to_host,
                  v.connect_to_port, v.ca_bundle, v.connect_timeout, v.try_timeout);
}
auto Fields(const CredentialOptions& a) {
  return std::tie(a.tenant, a.authority_host, a.kind, a.endpoint_version, a.client_id, a.client_secret_file,
                  a.certificate_file, a.certificate_key_file, a.certificate_password_file,
                  a.managed_identity_client_id, a.managed_identity_endpoint, a.ca_bundle, a.connect_to_host,
                  a.connect_to_port);
}
auto Fields(const RouterTuning& r) {
  return std::tie(r.hedge_delay_floor, r.hedge_delay_cap, r.hedge_latency_factor, r.expected_rtt, r.hedging_enabled,
                  r.consecutive_failures_to_eject, r.error_rate_to_eject, r.error_rate_window, r.probe_interval,
                  r.probe_interval_max, r.failback_hysteresis, r.max_retries, r.retry_base_delay,
                  r.retry_max_delay, r.retry_budget_ratio, r.retry_budget_min_per_second, r.operation_deadline,
                  r.connect_timeout, r.try_timeout, r.verification_ttl);
}

void ExpectSameConfig(const VaultSetConfig& a, const VaultSetConfig& b) {
  EXPECT_EQ(Fields(a.provider), Fields(b.provider));
  ASSERT_EQ(a.vaults.size(), b.vaults.size());
  for (std::size_t i = 0; i < a.vaults.size(); ++i) {
    SCOPED_TRACE("vault " + std::to_string(i));
    EXPECT_EQ(Fields(a.vaults[i]), Fields(b.vaults[i]));
  }
  EXPECT_EQ(Fields(a.auth), Fields(b.auth));
  EXPECT_TRUE(a.auth.client_secret == b.auth.client_secret);
  EXPECT_EQ(Fields(a.router), Fields(b.router));
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
      .Set("provider", "key_size", Num("3072"))
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
      .Set("router", "expected_rtt_ms", Num("120"))
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
