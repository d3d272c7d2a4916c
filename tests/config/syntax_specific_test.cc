// Rules that belong to one syntax (INI line numbers, Poco INI quirks, JSON
// types and structure) and to the file itself (extension, existence).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/config/config_test_support.h"

namespace geoekm::testing {
namespace {

using ::testing::HasSubstr;

class ConfigFileTest : public ::testing::Test {
 protected:
  TempConfigDir dir_;
};

TEST_F(ConfigFileTest, UnsupportedExtension) {
  std::string path = dir_.Write("vaults.yaml", "provider: {}\n");
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "unsupported file extension 'yaml' (allowed: .ini, .json)"));
}

TEST_F(ConfigFileTest, MissingFile) {
  std::string path = (dir_.path() / "absent.ini").string();
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), path + ": the configuration file does not exist"));
}

TEST_F(ConfigFileTest, ExtensionIsCaseInsensitive) {
  EXPECT_TRUE(LoadVaultSetConfig(dir_.Write("VAULTS.INI", ConfigSpec::Valid().Ini())).ok());
}

TEST_F(ConfigFileTest, IniErrorsNameTheirLine) {
  std::string path = dir_.Write("vaults.ini", ConfigSpec::Valid().Ini());
  // Line numbers of the generated file: find the line of the westus url.
  std::string text = ConfigSpec::Valid().Set("vault.westus", "url", Str("http://w.example")).Ini();
  int line = 1;
  for (std::size_t i = 0; i < text.find("url = http://w.example"); ++i) line += text[i] == '\n';
  dir_.Write("vaults.ini", text);
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), path + ":" + std::to_string(line) +
                                                     ": vault.westus.url: 'http://w.example': scheme 'http'"));
}

TEST_F(ConfigFileTest, IniMissingKeyNamesTheSectionLine) {
  std::string path = dir_.Write("vaults.ini",
      "[provider]\nset_name = s\nkey_names = k\nstate_path = /tmp/s.db\n"
      "\n[vault.a]\nurl = https://a.vault.azure.net\nregion = eastus\ngeography = US\n"
      "\n[vault.b]\nurl = https://b.vault.azure.net\nregion = westus\npriority = 2\n"
      "[auth]\ntenant = contoso.onmicrosoft.com\nmanaged_identity = true\n");
  Result<VaultSetConfig> r = LoadVaultSetConfig(path);
  EXPECT_TRUE(Rejected(r, path + ":6: [vault.a]: missing required key 'priority' in [vault.a]"));
  EXPECT_TRUE(Rejected(r, path + ":11: [vault.b]: missing required key 'geography' in [vault.b]"));
}

TEST_F(ConfigFileTest, IniKeyGivenTwice) {
  std::string path = dir_.Write("vaults.ini", ConfigSpec::Valid().Ini() + "\n[provider]\nset_name = other\n");
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "provider.set_name: key given again (first on line 4)"));
}

TEST_F(ConfigFileTest, IniCommentsStartWithSemicolonOrHashAtLineStartOrAfterABlank) {
  const std::string commented =
      "# a comment\n"
      "  ; an indented comment\n"
      "[provider]   ; the provider section\n"
      "set_name = geoekm-prod            ; the identity a SQL Server credential names\n"
      "key_names = tde-a, tde-b\t# two keys\n"
      "state_path = state.db ;no blank after the ';' is still a comment\n"
      "[vault.eastus] # a vault\n"
      "url = https://geoekm-eastus.vault.azure.net   ; no trailing slash\n"
      "region = eastus\ngeography = US\n"
      "priority = 10                     ; lower is preferred\n"
      "[vault.westus]\nurl = https://geoekm-westus.vault.azure.net\nregion = westus\n"
      "geography = US\npriority = 20\n"
      "[auth]\ntenant = contoso.onmicrosoft.com\n"
      "managed_identity = true # system-assigned\n";
  std::string path =
      dir_.Write("vaults.ini", commented + "bogus = 1 ; an unknown key on line 20 is still reported there\n");
  Result<VaultSetConfig> r = LoadVaultSetConfig(path);
  EXPECT_TRUE(Rejected(r, path + ":20: auth.bogus: unknown key 'bogus'"));
  EXPECT_TRUE(Rejected(r, "1 error:"));
  dir_.Write("vaults.ini", commented);
  r = LoadVaultSetConfig(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->provider.set_name, "geoekm-prod");
  EXPECT_EQ(r->provider.key_names, (std::vector<std::string>{"tde-a", "tde-b"}));
  EXPECT_EQ(r->provider.state_path, (dir_.path() / "state.db").string());
  EXPECT_EQ(r->vaults[0].url, "https://geoekm-eastus.vault.azure.net");
  EXPECT_EQ(r->vaults[0].priority, 10);
  EXPECT_EQ(r->auth.kind, CredentialKind::kManagedIdentity);
}

TEST_F(ConfigFileTest, IniSemicolonOrHashInsideAValueIsKept) {
  std::string path = dir_.Write("vaults.ini", ConfigSpec::Valid()
                                                  .Remove("auth", "managed_identity")
                                                  .Set("auth", "client_id", Str("0123456789abcdef0123456789abcdef"))
                                                  .Set("auth", "client_secret", Str("s3cr#t;v4lue#"))
                                                  .Ini());
  Result<VaultSetConfig> r = LoadVaultSetConfig(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::string(r->auth.client_secret.begin(), r->auth.client_secret.end()), "s3cr#t;v4lue#");
}

TEST_F(ConfigFileTest, IniKeyOutsideAnySection) {
  std::string path = dir_.Write("vaults.ini", "set_name = early\n" + ConfigSpec::Valid().Ini());
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), path + ":1: set_name: key 'set_name' outside any section"));
}

TEST_F(ConfigFileTest, IniVaultNameKeyIsRedundant) {
  std::string path = dir_.Write("vaults.ini", ConfigSpec::Valid().Set("vault.eastus", "name", Str("x")).Ini());
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "in INI files the vault's name is its section name [vault.eastus]"));
}

TEST_F(ConfigFileTest, IniEmptyVaultSectionIsAVaultWithoutKeys) {
  std::string path = dir_.Write("vaults.ini", ConfigSpec::Valid().AddSection("vault.empty").Ini());
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "missing required key 'url' in [vault.empty]"));
}

TEST_F(ConfigFileTest, IniNestedSection) {
  std::string path = dir_.Write("vaults.ini", ConfigSpec::Valid().Set("vault.eastus.extra", "x", Str("1")).Ini());
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "unexpected nested section/object 'extra' in [vault.eastus]"));
}

TEST_F(ConfigFileTest, IniSecretNeverEchoed) {
  std::string spec = ConfigSpec::Valid()
                         .Remove("auth", "managed_identity")
                         .Set("auth", "credential", Str("TOPSECRET"))
                         .Ini();
  Result<VaultSetConfig> r = LoadVaultSetConfig(dir_.Write("vaults.ini", spec, 0644));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), Not(HasSubstr("TOPSECRET")));
  EXPECT_THAT(r.status().message(), HasSubstr("mode 0644"));
  EXPECT_EQ(r.status().code(), codes::kPasswordTooShort);
}

TEST_F(ConfigFileTest, JsonSyntaxError) {
  std::string path = dir_.Write("vaults.json", "{\"provider\": {\"set_name\": \"x\",}");
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), path + ": not valid JSON: "));
}

TEST_F(ConfigFileTest, JsonTopLevelMustBeAnObject) {
  std::string path = dir_.Write("vaults.json", "[1, 2]");
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "the top level must be a JSON object"));
}

TEST_F(ConfigFileTest, JsonVaultsMustBeAnArrayOfObjects) {
  std::string valid = ConfigSpec::Valid().Json();
  std::string path = dir_.Write("vaults.json", "{\"vaults\": {\"name\": \"a\"}}");
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "vaults: must be an array of objects, got a section/object"));
  dir_.Write("vaults.json", "{\"vaults\": [\"a\", {\"name\": \"b\"}]}");
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "vaults[0]: must be an object, got a string"));
}

TEST_F(ConfigFileTest, JsonSectionMustBeAnObject) {
  std::string path = dir_.Write("vaults.json", "{\"router\": 5}");
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "router: must be an object, got an integer"));
}

TEST_F(ConfigFileTest, JsonNullAndWrongTypes) {
  std::string path = dir_.Write(
      "vaults.json",
      ConfigSpec::Valid().Set("vault.eastus", "region", Raw("", "null")).Set("provider", "key_names", Raw("", "\"k1,k2\"")).Json());
  Result<VaultSetConfig> r = LoadVaultSetConfig(path);
  EXPECT_TRUE(Rejected(r, "vaults[0].region: must be a string, got null"));
  EXPECT_TRUE(Rejected(r, "provider.key_names: must be an array of strings, got a string"));
  dir_.Write("vaults.json", ConfigSpec::Valid().Set("provider", "key_names", Raw("", "[\"a\", 5]")).Json());
  EXPECT_TRUE(Rejected(LoadVaultSetConfig(path), "provider.key_names: must be an array of strings, got an array"));
}

}  // namespace
}  // namespace geoekm::testing
