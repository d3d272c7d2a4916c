// Region down and back: a vault restarted on the same data dir keeps its
// keys (same kids, same material), and backups move only within a geography.
#include <sys/stat.h>

#include "tests/vaultsim/service/vaultsim_test_env.h"

namespace geoekm::testing {
namespace {

std::string Field(const TestResponse& r, const std::string& member) {
  Poco::JSON::Object::Ptr key = r.Json()->getObject("key");
  return key ? key->optValue<std::string>(member, "") : "";
}

TEST(PersistenceTest, KilledVaultComesBackWithItsKeys) {
  auto vault = VaultSimProcess::Start(VaultSimOptions{});
  ASSERT_TRUE(vault) << VaultSimProcess::last_error();
  TestHttpsClient c = vault->Client();
  TestResponse created = c.Send("POST", WithApi("/keys/durable/create"), R"({"kty":"RSA","tags":{"t":"1"}})");
  ASSERT_EQ(created.status, 200);
  ASSERT_EQ(c.Send("POST", WithApi("/keys/gone/create"), R"({"kty":"RSA"})").status, 200);
  ASSERT_EQ(c.Send("DELETE", WithApi("/keys/gone")).status, 200);
  TestResponse wrapped =
      c.Send("POST", WithApi("/keys/durable//wrapkey"), R"({"alg":"RSA-OAEP-256","value":"c2VjcmV0LWRlaw"})");
  ASSERT_EQ(wrapped.status, 200);

  struct stat st {};
  ASSERT_EQ(::stat((vault->data_dir() + "/vault-state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const int port = vault->port();
  vault->Kill();  // region down
  EXPECT_EQ(c.Send("GET", WithApi("/keys/durable")).status, 0);
  ASSERT_TRUE(vault->Restart()) << VaultSimProcess::last_error();
  EXPECT_EQ(vault->port(), port);

  TestHttpsClient c2 = vault->Client();
  TestResponse got = c2.Send("GET", WithApi("/keys/durable"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Field(got, "kid"), Field(created, "kid"));
  EXPECT_EQ(Field(got, "n"), Field(created, "n"));
  EXPECT_EQ(got.Json()->getObject("tags")->getValue<std::string>("t"), "1");
  TestResponse unwrapped = c2.Send("POST", WithApi("/keys/durable//unwrapkey"),
                                   R"({"alg":"RSA-OAEP-256","value":")" + wrapped.Json()->getValue<std::string>("value") + "\"}");
  ASSERT_EQ(unwrapped.status, 200);
  EXPECT_EQ(unwrapped.Json()->getValue<std::string>("value"), "c2VjcmV0LWRlaw");
  EXPECT_EQ(c2.Send("GET", WithApi("/deletedkeys/gone")).status, 200);  // soft-deleted state survives too

  EXPECT_TRUE(vault->Stop());  // SIGTERM: clean exit code 0
}

TEST(PersistenceTest, BackupRestoresInSameGeographyOnly) {
  VaultSimOptions east;
  auto us1 = VaultSimProcess::Start(east);
  ASSERT_TRUE(us1) << VaultSimProcess::last_error();
  VaultSimOptions west;
  west.name = "geoekm-westus";
  west.region = "westus";
  west.host = kWestUsHost;
  auto us2 = VaultSimProcess::Start(west);
  ASSERT_TRUE(us2) << VaultSimProcess::last_error();
  VaultSimOptions europe;
  europe.name = "geoekm-northeurope";
  europe.region = "northeurope";
  europe.geography = "europe";
  europe.host = kNorthEuropeHost;
  auto eu = VaultSimProcess::Start(europe);
  ASSERT_TRUE(eu) << VaultSimProcess::last_error();

  TestHttpsClient c1 = us1->Client();
  TestResponse created = c1.Send("POST", WithApi("/keys/tde/create"), R"({"kty":"RSA"})");
  ASSERT_EQ(created.status, 200);
  const std::string kid = Field(created, "kid");
  const std::string version = kid.substr(kid.rfind('/') + 1);
  TestResponse backup = c1.Send("POST", WithApi("/keys/tde/backup"));
  ASSERT_EQ(backup.status, 200);
  const std::string body = R"({"value":")" + backup.Json()->getValue<std::string>("value") + "\"}";

  TestResponse restored = us2->Client().Send("POST", WithApi("/keys/restore"), body);
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(Field(restored, "kid"), us2->base_url() + "/keys/tde/" + version);  // the target vault's host, same version
  EXPECT_EQ(Field(restored, "n"), Field(created, "n"));

  TestResponse foreign = eu->Client().Send("POST", WithApi("/keys/restore"), body);
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(foreign.ErrorCode(), "BadParameter");
  EXPECT_EQ(foreign.InnerErrorCode(), "BackupGeographyMismatch");
  EXPECT_EQ(foreign.ErrorMessage(),
            "The backup blob was created in geography 'us' and can only be restored into a key vault in the same "
            "geography; this key vault is in geography 'europe'.");
  EXPECT_EQ(eu->Client().Send("GET", WithApi("/keys/tde")).status, 404);
}

TEST(PersistenceTest, BadConfigFailsFastWithAClearMessage) {
  VaultSimOptions options;
  options.backup_secrets = {{"europe", "only-another-geography-secret"}};
  auto vault = VaultSimProcess::Start(options);
  ASSERT_FALSE(vault);
  EXPECT_NE(VaultSimProcess::last_error().find("backup_secrets has no entry for geography \"us\""), std::string::npos)
      << VaultSimProcess::last_error();
}

}  // namespace
}  // namespace geoekm::testing
