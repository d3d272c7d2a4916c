// Every validation rule of the vault-set schema, in both syntaxes: each test
// is a failing (or warning) input with the expected message fragment and code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/config/config_test_support.h"

namespace geoekm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ConfigRulesTest : public ::testing::TestWithParam<ConfigSyntax> {
 protected:
  Result<VaultSetConfig> Load(const ConfigSpec& spec, mode_t mode = 0600) {
    return LoadVaultSetConfig(WriteSpec(dir_, spec, GetParam(), mode));
  }
  bool Ini() const { return GetParam() == ConfigSyntax::kIni; }
  // The key path as each syntax names it.
  std::string Path(const std::string& ini, const std::string& json) const { return Ini() ? ini : json; }

  TempConfigDir dir_;
  ConfigSpec spec_ = ConfigSpec::Valid();
};

INSTANTIATE_TEST_SUITE_P(BothSyntaxes, ConfigRulesTest, ::testing::Values(ConfigSyntax::kIni, ConfigSyntax::kJson),
                         SyntaxName);

// ---- the valid baseline and defaults ----

TEST_P(ConfigRulesTest, ValidSetLoadsWithDefaults) {
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->provider.set_name, "geoekm-test");
  EXPECT_EQ(r->provider.wrap_algorithm, WrapAlgorithm::kRsaOaep256);
  EXPECT_EQ(r->provider.log_level, LogLevel::kInfo);
  EXPECT_FALSE(r->provider.single_vault);
  ASSERT_EQ(r->vaults.size(), 3u);
  EXPECT_EQ(r->vaults[0].host, "geoekm-eastus.vault.azure.net");
  EXPECT_EQ(r->vaults[0].port, 443);
  EXPECT_EQ(r->auth.kind, CredentialKind::kManagedIdentity);
  EXPECT_EQ(r->auth.authority_host, "https://login.microsoftonline.com");
  EXPECT_EQ(r->auth.endpoint_version, TokenEndpointVersion::kV2);
  EXPECT_EQ(r->router.hedge_delay_floor.count(), 50);
  EXPECT_EQ(r->router.verification_ttl.count(), 300);
  EXPECT_TRUE(r->warnings.empty());
}

// ---- [provider] ----

TEST_P(ConfigRulesTest, ProviderSectionRequired) {
  spec_.RemoveSection("provider");
  EXPECT_TRUE(Rejected(Load(spec_), Path("[provider]: missing required section", "provider: missing required section")));
}

TEST_P(ConfigRulesTest, SetNameRequired) {
  spec_.Remove("provider", "set_name");
  EXPECT_TRUE(Rejected(Load(spec_), "missing required key 'set_name'"));
}

TEST_P(ConfigRulesTest, SetNameCharacters) {
  spec_.Set("provider", "set_name", Str("prod set"));
  EXPECT_TRUE(Rejected(Load(spec_), "'prod set' is not a valid set name (allowed: 1 to 128 characters"));
}

TEST_P(ConfigRulesTest, KeyNamesRequired) {
  spec_.Remove("provider", "key_names");
  EXPECT_TRUE(Rejected(Load(spec_), "missing required key 'key_names'"));
}

TEST_P(ConfigRulesTest, KeyNameCharacters) {
  spec_.Set("provider", "key_names", List({"good", "under_score"}));
  EXPECT_TRUE(Rejected(Load(spec_), "'under_score' is not a Key Vault key name (11 characters) (allowed: 1 to 127"));
}

TEST_P(ConfigRulesTest, KeyNameLongerThan127) {
  spec_.Set("provider", "key_names", List({std::string(128, 'k')}));
  EXPECT_TRUE(Rejected(Load(spec_), "is not a Key Vault key name (128 characters)"));
}

TEST_P(ConfigRulesTest, KeyNameListedTwice) {
  spec_.Set("provider", "key_names", List({"tde", "TDE"}));
  EXPECT_TRUE(Rejected(Load(spec_), "'TDE' is listed twice"));
}

TEST_P(ConfigRulesTest, KeyNameOver26CharactersIsAWarningNotAnError) {
  std::string long_name(27, 'a');
  spec_.Set("provider", "key_names", List({std::string(26, 'b'), long_name, std::string(127, 'c')}));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->warnings.size(), 2u);  // 27 and 127, not 26
  EXPECT_THAT(r->warnings[0], HasSubstr("'" + long_name + "' has 27 characters"));
  EXPECT_THAT(r->warnings[0], HasSubstr("limits key names to 26 characters"));
  EXPECT_THAT(r->warnings[0], HasSubstr("RFC 7638 JWK thumbprint"));
  EXPECT_THAT(r->warnings[0], HasSubstr("127"));
  EXPECT_EQ(r->provider.key_names.size(), 3u);
}

TEST_P(ConfigRulesTest, KeyNamesEmptyItem) {
  spec_.Set("provider", "key_names", Raw("a,,b", R"(["a", "", "b"])"));
  EXPECT_TRUE(Rejected(Load(spec_), "is empty or has an empty item"));
}

TEST_P(ConfigRulesTest, WrapAlgorithm) {
  spec_.Set("provider", "wrap_algorithm", Str("RSA1_5"));
  EXPECT_TRUE(Rejected(Load(spec_), "'RSA1_5' is not supported (allowed: RSA-OAEP-256 (default), RSA-OAEP)"));
  spec_.Set("provider", "wrap_algorithm", Str("RSA-OAEP"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->provider.wrap_algorithm, WrapAlgorithm::kRsaOaep);
}

TEST_P(ConfigRulesTest, StatePathRequiredAndResolvedAgainstConfigDir) {
  spec_.Remove("provider", "state_path");
  EXPECT_TRUE(Rejected(Load(spec_), "missing required key 'state_path'"));
  spec_.Set("provider", "state_path", Str("state/geoekm.db"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->provider.state_path, (dir_.path() / "state/geoekm.db").string());
}

TEST_P(ConfigRulesTest, LogLevel) {
  spec_.Set("provider", "log_level", Str("verbose"));
  EXPECT_TRUE(Rejected(Load(spec_), "'verbose' is not a log level (allowed: error, warning, info (default), debug)"));
  spec_.Set("provider", "log_level", Str("debug")).Set("provider", "log_file", Str("/var/log/geoekm.log"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->provider.log_level, LogLevel::kDebug);
  EXPECT_EQ(r->provider.log_file, "/var/log/geoekm.log");
}

TEST_P(ConfigRulesTest, PinnedThumbprints) {
  const std::string t = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";  // RFC 7638 §3.1's example
  spec_.Set("provider", "key_names", List({"tde-protector", "other-key"}))
      .Set("provider", "pinned_thumbprints", List({"TDE-Protector:" + t}));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->provider.pinned_thumbprints.size(), 1u);
  EXPECT_EQ(r->provider.pinned_thumbprints.at("tde-protector"), t);  // the configured spelling
  spec_.Set("provider", "pinned_thumbprints", List({"unknown-key:" + t}));
  EXPECT_TRUE(Rejected(Load(spec_), "'unknown-key' is not one of key_names"));
  spec_.Set("provider", "pinned_thumbprints", List({"tde-protector:" + t.substr(1)}));
  EXPECT_TRUE(Rejected(Load(spec_), "is not an RFC 7638 SHA-256 thumbprint (allowed: <key name>:<RFC 7638"));
  spec_.Set("provider", "pinned_thumbprints", List({"tde-protector:" + t.substr(0, 42) + "+"}));
  EXPECT_TRUE(Rejected(Load(spec_), "is not an RFC 7638 SHA-256 thumbprint"));
  spec_.Set("provider", "pinned_thumbprints", List({"tde-protector:" + t, "tde-protector:" + t}));
  EXPECT_TRUE(Rejected(Load(spec_), "'tde-protector' is pinned twice"));
  spec_.Set("provider", "pinned_thumbprints", List({t}));
  EXPECT_TRUE(Rejected(Load(spec_), "has no ':'"));
}

TEST_P(ConfigRulesTest, SingleVaultMustBeBoolean) {
  spec_.Set("provider", "single_vault", Raw("yes", "\"yes\""));
  EXPECT_TRUE(Rejected(Load(spec_), Ini() ? "'yes' is not a boolean (allowed: true, false)"
                                          : "must be a boolean (true or false), got a string"));
}

// ---- vaults ----

TEST_P(ConfigRulesTest, NoVaults) {
  spec_.RemoveSection("vault.eastus").RemoveSection("vault.westus").RemoveSection("vault.japaneast");
  EXPECT_TRUE(Rejected(Load(spec_), "no vaults configured"));
}

TEST_P(ConfigRulesTest, OneVaultNeedsSingleVault) {
  spec_.RemoveSection("vault.westus").RemoveSection("vault.japaneast");
  EXPECT_TRUE(Rejected(Load(spec_), "only 1 vault configured; failover needs at least 2"));
  spec_.Set("provider", "single_vault", Bool(true));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->provider.single_vault);
  EXPECT_EQ(r->vaults.size(), 1u);
}

TEST_P(ConfigRulesTest, KeySizeIsAnRsaSizeKeyVaultOffers) {
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->provider.key_size, 2048);
  spec_.Set("provider", "key_size", Num("3000"));
  EXPECT_TRUE(Rejected(Load(spec_), "3000 is not an RSA size Key Vault offers"));
  spec_.Set("provider", "key_size", Num("1024"));
  EXPECT_TRUE(Rejected(Load(spec_), "key_size"));
  spec_.Set("provider", "key_size", Num("4096"));
  r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->provider.key_size, 4096);
}

TEST_P(ConfigRulesTest, VaultsSortedByPriority) {
  spec_.Set("vault.eastus", "priority", Num("300")).Set("vault.japaneast", "priority", Num("0"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->vaults.size(), 3u);
  EXPECT_EQ(r->vaults[0].name, "japaneast");
  EXPECT_EQ(r->vaults[1].name, "westus");
  EXPECT_EQ(r->vaults[2].name, "eastus");
}

TEST_P(ConfigRulesTest, DuplicatePriority) {
  spec_.Set("vault.westus", "priority", Num("10"));
  EXPECT_TRUE(Rejected(Load(spec_), "priority 10 is used twice"));
}

TEST_P(ConfigRulesTest, DuplicateVaultNameCaseInsensitive) {
  spec_.Set("vault.EastUS", "url", Str("https://other.vault.azure.net"))
      .Set("vault.EastUS", "region", Str("eastus"))
      .Set("vault.EastUS", "geography", Str("US"))
      .Set("vault.EastUS", "priority", Num("40"));
  // Poco's INI keys are case-insensitive, so [vault.EastUS] merges into
  // [vault.eastus] there: each key is then given twice.
  EXPECT_TRUE(Rejected(Load(spec_), Ini() ? "key given again" : "vault name 'EastUS' is used twice"));
}

TEST_P(ConfigRulesTest, VaultName) {
  if (Ini()) GTEST_SKIP() << "an INI vault's name is its section name";
  spec_.Set("vault.bad name", "url", Str("https://other.vault.azure.net"));
  EXPECT_TRUE(Rejected(Load(spec_), "'bad name' is not a valid vault name"));
}

TEST_P(ConfigRulesTest, UrlMustBeHttps) {
  spec_.Set("vault.eastus", "url", Str("http://geoekm-eastus.vault.azure.net"));
  EXPECT_TRUE(Rejected(Load(spec_), Path("vault.eastus.url", "vaults[0].url") +
                                        ": 'http://geoekm-eastus.vault.azure.net': scheme 'http' is not allowed "
                                        "(allowed: https://host[:port]"));
}

TEST_P(ConfigRulesTest, UrlWithoutPathOrHost) {
  spec_.Set("vault.eastus", "url", Str("https://geoekm-eastus.vault.azure.net/keys/x"));
  EXPECT_TRUE(Rejected(Load(spec_), "must not have a path, query or fragment"));
  spec_.Set("vault.eastus", "url", Str("https://"));
  EXPECT_TRUE(Rejected(Load(spec_), "has no host"));
  spec_.Set("vault.eastus", "url", Str("https://h.example:70000"));
  EXPECT_TRUE(Rejected(Load(spec_), "not a URL"));
}

TEST_P(ConfigRulesTest, UrlPortParsed) {
  spec_.Set("vault.eastus", "url", Str("https://127.0.0.1:8443/"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->vaults[0].url, "https://127.0.0.1:8443");
  EXPECT_EQ(r->vaults[0].host, "127.0.0.1");
  EXPECT_EQ(r->vaults[0].port, 8443);
}

TEST_P(ConfigRulesTest, VaultRequiredKeys) {
  for (const char* key : {"url", "region", "geography", "priority"}) {
    ConfigSpec spec = ConfigSpec::Valid();
    spec.Remove("vault.westus", key);
    EXPECT_TRUE(Rejected(Load(spec), std::string("missing required key '") + key + "'")) << key;
  }
}

TEST_P(ConfigRulesTest, Region) {
  spec_.Set("vault.eastus", "region", Str("east us"));
  EXPECT_TRUE(Rejected(Load(spec_), "'east us' is not an Azure region name"));
}

TEST_P(ConfigRulesTest, GeographyFromTheListCaseInsensitive) {
  spec_.Set("vault.eastus", "geography", Str("Atlantis"));
  EXPECT_TRUE(Rejected(Load(spec_), "'Atlantis' is not a known Azure geography (allowed: US, "));
  spec_.Set("vault.eastus", "geography", Str("eu"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->vaults[0].geography, "EU");
}

TEST_P(ConfigRulesTest, PriorityMustBeAnInteger) {
  spec_.Set("vault.eastus", "priority", Raw("first", "\"1\""));
  EXPECT_TRUE(Rejected(Load(spec_), Ini() ? "'first' is not an integer" : "must be an integer, got a string"));
  spec_.Set("vault.eastus", "priority", Num("1.5"));
  EXPECT_TRUE(Rejected(Load(spec_), Ini() ? "'1.5' is not an integer" : "must be an integer, got a number"));
  spec_.Set("vault.eastus", "priority", Num("-1"));
  EXPECT_TRUE(Rejected(Load(spec_), "-1 is out of range (allowed: an integer from 0 to 1000000)"));
}

TEST_P(ConfigRulesTest, ConnectTo) {
  spec_.Set("vault.eastus", "connect_to", Str("127.0.0.1"));
  EXPECT_TRUE(Rejected(Load(spec_), "'127.0.0.1': needs a port from 1 to 65535 (allowed: host:port"));
  spec_.Set("vault.eastus", "connect_to", Str("[::1]:9443"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->vaults[0].connect_to_host, "::1");
  EXPECT_EQ(r->vaults[0].connect_to_port, 9443);
  EXPECT_EQ(r->vaults[0].host, "geoekm-eastus.vault.azure.net");  // SNI/Host stay
}

// Every host a configuration names (vault url, connect_to, authority_host,
// managed_identity_endpoint) must be an IP literal or an LDH host name.
struct BadHost {
  std::string host;
  std::string fragment;  // what the error says
};

std::vector<BadHost> BadHosts() {
  const std::string not_ldh = "has a character not allowed in a host name";
  const std::string non_ascii = "non-ASCII host names are not supported; use the punycode (xn--) form";
  return {
      {std::string("evil\0.vault.azure.net", 21), not_ldh},
      {"evil\r.vault.azure.net", not_ldh},
      {"evil\x1b[31m.vault.azure.net", not_ldh},
      {"evil vault.azure.net", not_ldh},
      {"under_score.vault.azure.net", not_ldh},
      {"\u202eten.eruza.tluav.ekmoeg", non_ascii},                // right-to-left override
      {"g\u0435oekm-eastus.vault.azure.net", non_ascii},          // Cyrillic 'е' looking like 'e'
      {"-lead.vault.azure.net", "label '-lead' starts or ends with '-'"},
      {"trail-.vault.azure.net", "label 'trail-' starts or ends with '-'"},
      {"a..vault.azure.net", "empty label"},
      {"vault.azure.net.", "empty label"},
      {std::string(64, 'a') + ".vault.azure.net", "is longer than 63 characters"},
      {std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(63, 'd') +
           ".net",  // 259 characters
       "longer than 253 characters"},
      {"300.1.1.1", "host '300.1.1.1' is not a valid IPv4 address"},
  };
}

TEST_P(ConfigRulesTest, VaultUrlHostMustBeAnLdhNameOrIpLiteral) {
  for (const BadHost& bad : BadHosts()) {
    SCOPED_TRACE(bad.fragment);
    spec_.Set("vault.eastus", "url", Str("https://" + bad.host));
    Result<VaultSetConfig> r = Load(spec_);
    EXPECT_TRUE(Rejected(r, Path("vault.eastus.url", "vaults[0].url") + ": 'https://"));
    EXPECT_TRUE(Rejected(r, bad.fragment));
  }
  spec_.Set("vault.eastus", "url", Str("https://[fe80::zz]"));
  EXPECT_TRUE(Rejected(Load(spec_), "host 'fe80::zz' is not a valid IPv6 address"));
}

TEST_P(ConfigRulesTest, EveryOtherHostIsCheckedTheSameWay) {
  for (const BadHost& bad : BadHosts()) {
    SCOPED_TRACE(bad.fragment);
    ConfigSpec spec = ConfigSpec::Valid();
    spec.Set("vault.westus", "connect_to", Str(bad.host + ":443"))
        .Set("auth", "authority_host", Str("https://" + bad.host))
        .Set("auth", "connect_to", Str(bad.host + ":443"))
        .Set("auth", "managed_identity_endpoint", Str("http://" + bad.host));
    Result<VaultSetConfig> r = Load(spec);
    for (const char* key : {"connect_to", "authority_host", "managed_identity_endpoint"}) {
      EXPECT_TRUE(Rejected(r, std::string("auth.") + key + ": '")) << key;
    }
    EXPECT_TRUE(Rejected(r, Path("vault.westus.connect_to", "vaults[1].connect_to") + ": '"));
    EXPECT_TRUE(Rejected(r, bad.fragment));
    EXPECT_TRUE(Rejected(r, "4 errors:"));
  }
}

TEST_P(ConfigRulesTest, LdhNamesPunycodeAndIpLiteralsAreAccepted) {
  spec_.Set("vault.eastus", "url", Str("https://xn--gekm-eastus-h7a.vault.azure.net"))
      .Set("vault.eastus", "connect_to", Str("127.0.0.1:9443"))
      .Set("vault.westus", "url", Str("https://10.0.0.7:8443"))
      .Set("vault.westus", "connect_to", Str("vault-proxy.internal:443"))
      .Set("vault.japaneast", "url", Str("https://[::1]:8444"))
      .Set("auth", "authority_host", Str("https://127.0.0.1:9444"))
      .Set("auth", "connect_to", Str("[::1]:9445"))
      .Set("auth", "managed_identity_endpoint", Str("http://169.254.169.254"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->vaults[0].host, "xn--gekm-eastus-h7a.vault.azure.net");
  EXPECT_EQ(r->vaults[2].host, "::1");
}

// What a message quotes from the file is shown, never acted on by a terminal.
TEST_P(ConfigRulesTest, ControlCharactersInMessagesAreEscaped) {
  spec_.Set("vault.eastus", "url", Str("https://a\x1b]0;pwned\x07" "b\r.net"))
      .Set("vault.westus", "url", Str("https://\u202eten.eruza"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("'https://a\\x1b]0;pwned\\x07b\\x0d.net'"));
  EXPECT_THAT(r.status().message(), HasSubstr("'https://\\u202eten.eruza'"));
  for (char c : r.status().message()) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << int(c);
  EXPECT_THAT(r.status().message(), Not(HasSubstr("\u202e")));
}

TEST_P(ConfigRulesTest, TwoVaultsWithOneUrlAreAnError) {
  spec_.Set("vault.westus", "url", Str("https://GEOEKM-eastus.vault.azure.net:443/"));
  EXPECT_TRUE(Rejected(Load(spec_), Path("vault.westus.url", "vaults[1].url") +
                                        ": url https://geoekm-eastus.vault.azure.net is also the url of vault 'eastus'"));
  spec_.Set("vault.westus", "url", Str("https://geoekm-eastus.vault.azure.net:8443"));  // another port: another vault
  EXPECT_TRUE(Load(spec_).ok());
}

TEST_P(ConfigRulesTest, TwoVaultsWithOneConnectToAreAnError) {
  spec_.Set("vault.eastus", "connect_to", Str("127.0.0.1:9443")).Set("vault.japaneast", "connect_to", Str("127.0.0.1:9443"));
  EXPECT_TRUE(Rejected(Load(spec_), Path("vault.japaneast.connect_to", "vaults[2].connect_to") +
                                        ": connect_to 127.0.0.1:9443 is also where vault 'eastus' connects"));
  spec_.Set("vault.japaneast", "connect_to", Str("127.0.0.1:9444"));
  EXPECT_TRUE(Load(spec_).ok());
}

TEST_P(ConfigRulesTest, VaultCaBundleMustExist) {
  spec_.Set("vault.eastus", "ca_bundle", Str("missing-ca.pem"));
  EXPECT_TRUE(Rejected(Load(spec_), (dir_.path() / "missing-ca.pem").string() + " does not exist"));
  dir_.Write("missing-ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);  // public: 0644 is fine
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->vaults[0].ca_bundle, (dir_.path() / "missing-ca.pem").string());
}

TEST_P(ConfigRulesTest, VaultTimeouts) {
  spec_.Set("vault.eastus", "connect_timeout_ms", Num("0"));
  EXPECT_TRUE(Rejected(Load(spec_), "0 is out of range (allowed: an integer from 1 to 60000)"));
  spec_.Set("vault.eastus", "connect_timeout_ms", Num("500")).Set("vault.eastus", "try_timeout_ms", Num("4000"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->vaults[0].connect_timeout.count(), 500);
  EXPECT_EQ(r->vaults[0].try_timeout.count(), 4000);
  EXPECT_EQ(r->vaults[1].try_timeout.count(), 0);  // router default
}

TEST_P(ConfigRulesTest, UnknownVaultKey) {
  spec_.Set("vault.westus", "weight", Num("3"));
  EXPECT_TRUE(Rejected(Load(spec_), "unknown key 'weight' in " + Path("[vault.westus]", "vaults[1]") +
                                        " (allowed: name, url, region, geography, priority, connect_to"));
}

// ---- [auth] ----

TEST_P(ConfigRulesTest, AuthSectionRequired) {
  spec_.RemoveSection("auth");
  EXPECT_TRUE(Rejected(Load(spec_), "missing required section"));
}

TEST_P(ConfigRulesTest, Tenant) {
  spec_.Remove("auth", "tenant");
  EXPECT_TRUE(Rejected(Load(spec_), "missing required key 'tenant'"));
  spec_.Set("auth", "tenant", Str("contoso"));
  EXPECT_TRUE(Rejected(Load(spec_), "'contoso' is not a tenant id"));
  spec_.Set("auth", "tenant", Str("contoso.onmicrosoft.com"));
  EXPECT_TRUE(Load(spec_).ok());
}

// Tenants a vault's challenge may name besides `tenant`: tenant ids or "*".
TEST_P(ConfigRulesTest, AdditionallyAllowedTenants) {
  Result<VaultSetConfig> none = Load(spec_);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->auth.additionally_allowed_tenants.empty());
  spec_.Set("auth", "additionally_allowed_tenants", List({"fabrikam.onmicrosoft.com", "*"}));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->auth.additionally_allowed_tenants, (std::vector<std::string>{"fabrikam.onmicrosoft.com", "*"}));
  spec_.Set("auth", "additionally_allowed_tenants", List({"fabrikam.onmicrosoft.com", "%2e%2e"}));
  EXPECT_TRUE(Rejected(Load(spec_), "'%2e%2e' is not a tenant id"));
}

TEST_P(ConfigRulesTest, AuthorityHostMustBeHttps) {
  spec_.Set("auth", "authority_host", Str("http://login.example"));
  EXPECT_TRUE(Rejected(Load(spec_), "scheme 'http' is not allowed"));
  spec_.Set("auth", "authority_host", Str("https://127.0.0.1:9444"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.authority_host, "https://127.0.0.1:9444");
}

TEST_P(ConfigRulesTest, TokenEndpoint) {
  spec_.Set("auth", "token_endpoint", Str("v3"));
  EXPECT_TRUE(Rejected(Load(spec_), "'v3' is not a token endpoint version (allowed: v2 (default), v1)"));
  spec_.Set("auth", "token_endpoint", Str("v1"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.endpoint_version, TokenEndpointVersion::kV1);
}

TEST_P(ConfigRulesTest, AuthCaBundleAndConnectTo) {
  spec_.Set("auth", "ca_bundle", Str("/nonexistent/ca.pem"));
  EXPECT_TRUE(Rejected(Load(spec_), "/nonexistent/ca.pem does not exist"));
  spec_.Remove("auth", "ca_bundle").Set("auth", "connect_to", Str("login:0"));
  EXPECT_TRUE(Rejected(Load(spec_), "'login:0': not host:port"));
  spec_.Set("auth", "connect_to", Str("127.0.0.1:9444"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.connect_to_host, "127.0.0.1");
  EXPECT_EQ(r->auth.connect_to_port, 9444);
}

TEST_P(ConfigRulesTest, NoCredential) {
  spec_.Remove("auth", "managed_identity");
  EXPECT_TRUE(Rejected(Load(spec_), "no credential configured in " + Path("[auth]", "auth") +
                                        " (allowed: exactly one of: client_id + client_secret;"));
  spec_.Set("auth", "managed_identity", Bool(false));
  EXPECT_TRUE(Rejected(Load(spec_), "no credential configured"));
}

TEST_P(ConfigRulesTest, MoreThanOneCredentialKind) {
  dir_.Write("cert.pem", "pem", 0600);
  spec_.Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef")).Set("auth", "certificate_file", Str("cert.pem"));
  EXPECT_TRUE(Rejected(Load(spec_), "more than one credential kind in " + Path("[auth]", "auth") +
                                        ": certificate_file, managed_identity"));
}

TEST_P(ConfigRulesTest, ClientIdRequiredAndShaped) {
  dir_.Write("secret.txt", "s3cr3t-value", 0600);
  spec_.Remove("auth", "managed_identity").Set("auth", "client_secret_file", Str("secret.txt"));
  EXPECT_TRUE(Rejected(Load(spec_), "missing required key 'client_id'"));
  spec_.Set("auth", "client_id", Str("not-a-client-id"));
  EXPECT_TRUE(Rejected(Load(spec_), "'not-a-client-id' is not an application (client) id (allowed: 32 hex digits, or a GUID"));
  spec_.Set("auth", "client_id", Str("01234567-89ab-cdef-0123-456789abcdef"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.kind, CredentialKind::kClientSecret);
  EXPECT_EQ(r->auth.client_id, "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(r->auth.client_secret_file, (dir_.path() / "secret.txt").string());
  EXPECT_TRUE(r->auth.client_secret.empty());  // read by auth, not by config
}

TEST_P(ConfigRulesTest, SecretFileMustExistBePrivateAndNonEmpty) {
  spec_.Remove("auth", "managed_identity")
      .Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"))
      .Set("auth", "client_secret_file", Str("secret.txt"));
  EXPECT_TRUE(Rejected(Load(spec_), "secret.txt does not exist"));
  dir_.Write("secret.txt", "s3cr3t-value", 0640);
  Result<VaultSetConfig> r = Load(spec_);
  EXPECT_TRUE(Rejected(r, "holds a secret but is accessible by group or others (mode 0640); run chmod 600"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("s3cr3t-value")));
  dir_.Write("secret.txt", "s3cr3t-value", 0604);
  EXPECT_TRUE(Rejected(Load(spec_), "(mode 0604)"));
  dir_.Write("secret.txt", "", 0600);
  EXPECT_TRUE(Rejected(Load(spec_), "secret.txt is empty"));
  dir_.Write("secret.txt", "s3cr3t-value", 0400);
  EXPECT_TRUE(Load(spec_).ok());
}

TEST_P(ConfigRulesTest, SecretAndSecretFileTogether) {
  dir_.Write("secret.txt", "s3cr3t-value", 0600);
  spec_.Remove("auth", "managed_identity")
      .Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"))
      .Set("auth", "client_secret", Str("inline-s3cr3t"))
      .Set("auth", "client_secret_file", Str("secret.txt"));
  Result<VaultSetConfig> r = Load(spec_);
  EXPECT_TRUE(Rejected(r, "given together with client_secret (allowed: one of client_secret, client_secret_file)"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("inline-s3cr3t")));
}

TEST_P(ConfigRulesTest, InlineSecretNeedsPrivateConfigFile) {
  spec_.Remove("auth", "managed_identity")
      .Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"))
      .Set("auth", "client_secret", Str("inline-s3cr3t"));
  Result<VaultSetConfig> r = Load(spec_, 0644);
  EXPECT_TRUE(Rejected(r, "the configuration file holds a secret but is accessible by group or others (mode 0644)"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("inline-s3cr3t")));
  r = Load(spec_, 0600);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::string(r->auth.client_secret.begin(), r->auth.client_secret.end()), "inline-s3cr3t");
}

TEST_P(ConfigRulesTest, CredentialStringShorterThan32Is2050) {
  spec_.Remove("auth", "managed_identity").Set("auth", "credential", Str("0123456789abcdefXYZ"));
  Result<VaultSetConfig> r = Load(spec_);
  EXPECT_TRUE(Rejected(r, "error 2050: the credential is 19 characters", codes::kPasswordTooShort));
  EXPECT_THAT(r.status().message(), HasSubstr("shorter than 32 characters"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("0123456789abcdefXYZ")));
  EXPECT_EQ(r.status().error_class(), ErrorClass::kInvalidInput);
}

TEST_P(ConfigRulesTest, EmptyCredentialStringIs2050) {
  spec_.Remove("auth", "managed_identity").Set("auth", "credential", Str(""));
  EXPECT_TRUE(Rejected(Load(spec_), "the credential is 0 characters", codes::kPasswordTooShort));
}

TEST_P(ConfigRulesTest, CredentialStringMustStartWithHexClientId) {
  spec_.Remove("auth", "managed_identity").Set("auth", "credential", Str("0123456789abcdef0123456789abcdeZsecret-tail"));
  Result<VaultSetConfig> r = Load(spec_);
  EXPECT_TRUE(Rejected(r, "its first 32 characters are not the client id as 32 hex digits"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("secret-tail")));
  spec_.Set("auth", "credential", Str("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(Rejected(Load(spec_), "has no client secret after the 32-digit client id"));
}

TEST_P(ConfigRulesTest, CredentialStringSplitsIntoClientIdAndSecret) {
  spec_.Remove("auth", "managed_identity").Set("auth", "credential", Str("0123456789abcdef0123456789ABCDEFs3cr3t~value"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.kind, CredentialKind::kClientSecret);
  EXPECT_EQ(r->auth.client_id, "0123456789abcdef0123456789ABCDEF");
  EXPECT_EQ(std::string(r->auth.client_secret.begin(), r->auth.client_secret.end()), "s3cr3t~value");
  spec_.Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(Rejected(Load(spec_), "not allowed with credential, which already starts with the client id"));
}

TEST_P(ConfigRulesTest, CertificateFiles) {
  spec_.Remove("auth", "managed_identity")
      .Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"))
      .Set("auth", "certificate_file", Str("client.pem"));
  EXPECT_TRUE(Rejected(Load(spec_), "client.pem does not exist"));
  dir_.Write("client.pem", "cert+key", 0644);
  EXPECT_TRUE(Rejected(Load(spec_), "client.pem holds a secret but is accessible by group or others (mode 0644)"));
  dir_.Write("client.pem", "cert+key", 0600);
  spec_.Set("auth", "certificate_password_file", Str("pw.txt"));
  dir_.Write("pw.txt", "pfx-password", 0660);
  EXPECT_TRUE(Rejected(Load(spec_), "pw.txt holds a secret but is accessible by group or others (mode 0660)"));
  dir_.Write("pw.txt", "pfx-password", 0600);
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.kind, CredentialKind::kCertificate);
  EXPECT_EQ(r->auth.certificate_file, (dir_.path() / "client.pem").string());
  EXPECT_EQ(r->auth.certificate_password_file, (dir_.path() / "pw.txt").string());
}

TEST_P(ConfigRulesTest, SeparateCertificateKeyFile) {
  dir_.Write("client.crt", "public cert", 0644);  // public when the key is apart
  dir_.Write("client.key", "private key", 0644);
  spec_.Remove("auth", "managed_identity")
      .Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"))
      .Set("auth", "certificate_file", Str("client.crt"))
      .Set("auth", "certificate_key_file", Str("client.key"));
  EXPECT_TRUE(Rejected(Load(spec_), "client.key holds a secret but is accessible by group or others"));
  dir_.Write("client.key", "private key", 0600);
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.certificate_key_file, (dir_.path() / "client.key").string());
}

TEST_P(ConfigRulesTest, CertificateOnlyKeysNeedCertificate) {
  dir_.Write("pw.txt", "pfx-password", 0600);
  spec_.Set("auth", "certificate_password_file", Str("pw.txt"));
  EXPECT_TRUE(Rejected(Load(spec_), "is only used with certificate_file"));
}

TEST_P(ConfigRulesTest, ManagedIdentityOptions) {
  spec_.Set("auth", "managed_identity_client_id", Str("xyz"));
  EXPECT_TRUE(Rejected(Load(spec_), "'xyz' is not a client id"));
  spec_.Set("auth", "managed_identity_client_id", Str("01234567-89ab-cdef-0123-456789abcdef"))
      .Set("auth", "managed_identity_endpoint", Str("ftp://169.254.169.254"));
  EXPECT_TRUE(Rejected(Load(spec_), "scheme 'ftp' is not allowed"));
  spec_.Set("auth", "managed_identity_endpoint", Str("http://127.0.0.1:40342"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->auth.managed_identity_client_id, "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(r->auth.managed_identity_endpoint, "http://127.0.0.1:40342");
  spec_.Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(Rejected(Load(spec_), "not used with managed_identity (allowed: managed_identity_client_id"));
}

TEST_P(ConfigRulesTest, ManagedIdentityKeysNeedManagedIdentity) {
  spec_.Set("auth", "managed_identity", Bool(false)).Set("auth", "credential", Str("0123456789abcdef0123456789abcdefS"));
  spec_.Set("auth", "managed_identity_endpoint", Str("http://127.0.0.1:1"));
  EXPECT_TRUE(Rejected(Load(spec_), "is only used with managed_identity = true"));
}

TEST_P(ConfigRulesTest, UnknownAuthKey) {
  spec_.Set("auth", "password", Str("hunter2"));
  Result<VaultSetConfig> r = Load(spec_);
  EXPECT_TRUE(Rejected(r, "unknown key 'password' in " + Path("[auth]", "auth") + " (allowed: tenant, authority_host"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("hunter2")));
}

// ---- [router] ----

TEST_P(ConfigRulesTest, RouterKnobsSetAndRangeChecked) {
  spec_.Set("router", "hedge_delay_floor_ms", Num("20"))
      .Set("router", "hedge_latency_factor", Num("3.5"))
      .Set("router", "expected_rtt_ms", Num("150"))
      .Set("router", "hedging_enabled", Bool(false))
      .Set("router", "error_rate_to_eject", Num("0.25"))
      .Set("router", "failback_hysteresis_s", Num("0"))
      .Set("router", "max_retries", Num("0"))
      .Set("router", "verification_ttl_s", Num("60"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->router.hedge_delay_floor.count(), 20);
  EXPECT_DOUBLE_EQ(r->router.hedge_latency_factor, 3.5);
  EXPECT_EQ(r->router.expected_rtt.count(), 150);
  EXPECT_FALSE(r->router.hedging_enabled);
  EXPECT_DOUBLE_EQ(r->router.error_rate_to_eject, 0.25);
  EXPECT_EQ(r->router.failback_hysteresis.count(), 0);
  EXPECT_EQ(r->router.max_retries, 0);
  EXPECT_EQ(r->router.verification_ttl.count(), 60);
  EXPECT_EQ(r->router.hedge_delay_cap.count(), 1000);  // untouched default
}

TEST_P(ConfigRulesTest, RouterOutOfRange) {
  spec_.Set("router", "max_retries", Num("11"));
  EXPECT_TRUE(Rejected(Load(spec_), "11 is out of range (allowed: an integer from 0 to 10)"));
  spec_.Set("router", "max_retries", Num("1")).Set("router", "retry_budget_ratio", Num("1.5"));
  EXPECT_TRUE(Rejected(Load(spec_), "1.5 is out of range (allowed: a number from 0 to 1)"));
  spec_.Set("router", "retry_budget_ratio", Num("0.5")).Set("router", "expected_rtt_ms", Num("0"));
  EXPECT_TRUE(Rejected(Load(spec_), "0 is out of range (allowed: an integer from 1 to 60000)"));
}

TEST_P(ConfigRulesTest, RouterBadType) {
  spec_.Set("router", "probe_interval_ms", Raw("2s", "\"2000\""));
  EXPECT_TRUE(Rejected(Load(spec_), Ini() ? "'2s' is not an integer" : "must be an integer, got a string"));
  spec_.Remove("router", "probe_interval_ms").Set("router", "hedging_enabled", Raw("1", "1"));
  EXPECT_TRUE(Rejected(Load(spec_), Ini() ? "'1' is not a boolean" : "must be a boolean (true or false), got an integer"));
}

TEST_P(ConfigRulesTest, RouterOrderings) {
  spec_.Set("router", "hedge_delay_floor_ms", Num("500")).Set("router", "hedge_delay_cap_ms", Num("100"));
  EXPECT_TRUE(Rejected(Load(spec_), "hedge_delay_cap_ms (100) is less than hedge_delay_floor_ms (500)"));
  spec_ = ConfigSpec::Valid();
  spec_.Set("router", "try_timeout_ms", Num("40000"));
  EXPECT_TRUE(Rejected(Load(spec_), "operation_deadline_ms (30000) is less than try_timeout_ms (40000)"));
  spec_ = ConfigSpec::Valid();
  spec_.Set("router", "probe_interval_ms", Num("5000")).Set("router", "probe_interval_max_ms", Num("1000"));
  EXPECT_TRUE(Rejected(Load(spec_), "probe_interval_max_ms (1000) is less than probe_interval_ms (5000)"));
  spec_ = ConfigSpec::Valid();
  spec_.Set("router", "retry_base_delay_ms", Num("5000")).Set("router", "retry_max_delay_ms", Num("1000"));
  EXPECT_TRUE(Rejected(Load(spec_), "retry_max_delay_ms (1000) is less than retry_base_delay_ms (5000)"));
  spec_ = ConfigSpec::Valid();
  spec_.Set("router", "connect_timeout_ms", Num("20000")).Set("router", "try_timeout_ms", Num("10000"));
  EXPECT_TRUE(Rejected(Load(spec_), "try_timeout_ms (10000) is less than connect_timeout_ms (20000)"));
}

TEST_P(ConfigRulesTest, UnknownRouterKey) {
  spec_.Set("router", "hedge_delay_ms", Num("5"));
  EXPECT_TRUE(Rejected(Load(spec_), "unknown key 'hedge_delay_ms' in " + Path("[router]", "router") +
                                        " (allowed: hedge_delay_floor_ms, hedge_delay_cap_ms"));
}

// ---- the file as a whole ----

TEST_P(ConfigRulesTest, UnknownSection) {
  spec_.Set("logging", "level", Str("info"));
  EXPECT_TRUE(Rejected(Load(spec_), Ini() ? "unknown section [logging] (allowed: [provider], [auth], [router], [vault.<name>])"
                                          : "unknown key logging (allowed: \"provider\", \"auth\", \"router\", \"vaults\")"));
}

TEST_P(ConfigRulesTest, UpperCaseKeyGetsAHint) {
  spec_.Set("provider", "Log_Level", Str("info"));
  EXPECT_TRUE(Rejected(Load(spec_), "unknown key 'Log_Level' in " + Path("[provider]", "provider") +
                                        " (key names are lower case: did you mean 'log_level'?)"));
}

TEST_P(ConfigRulesTest, EmptyValue) {
  spec_.Set("vault.eastus", "region", Str(""));
  EXPECT_TRUE(Rejected(Load(spec_), Path("vault.eastus.region", "vaults[0].region") + ": is empty"));
}

TEST_P(ConfigRulesTest, EveryErrorIsListedAndNothingIsReturned) {
  spec_.Set("provider", "wrap_algorithm", Str("A"))
      .Set("vault.eastus", "geography", Str("B"))
      .Set("auth", "token_endpoint", Str("C"))
      .Set("router", "max_retries", Num("99"));
  Result<VaultSetConfig> r = Load(spec_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("configuration rejected, 4 errors:"));
  for (const char* fragment : {"'A' is not supported", "'B' is not a known Azure geography",
                               "'C' is not a token endpoint version", "99 is out of range"}) {
    EXPECT_THAT(r.status().message(), HasSubstr(fragment));
  }
}

}  // namespace
}  // namespace geoekm::testing
