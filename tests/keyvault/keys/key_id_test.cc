// Key identifiers (keyvault/keys/key_id.h): the kid of an answer gives
// a name and a version only in its one shape; a request path gives its key
// name.
#include "keyvault/keys/key_id.h"

#include <gtest/gtest.h>

namespace geoekm {
namespace {

TEST(KeyId, ParsesOnlyHttpsKeysNameVersion) {
  auto id = ParseKid("https://myvault.vault.azure.net/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->name, "CreateSoftKeyTest");
  EXPECT_EQ(id->version, "78deebed173b48e48f55abf87ed4cf71");
  ASSERT_TRUE(ParseKid("https://geoekm-eastus.vault.test:8443/keys/tde/0698c2156c1a4e1da5b6bab6f6422fd6"));
  for (const char* bad : {"", "x", "/keys/tde/0698c215",                            // no scheme or host
                          "http://v.vault.azure.net/keys/tde/0698c215",             // not https
                          "https://v.vault.azure.net/keys/tde",                     // no version
                          "https://v.vault.azure.net/keys/tde/0698c215/wrapkey",    // an operation
                          "https://v.vault.azure.net/secrets/tde/0698c215",         // not a key
                          "https://v.vault.azure.net/keys/a%2Fb/0698c215",          // escaped slash
                          "https://v.vault.azure.net/keys/tde_1/0698c215",          // not a key name
                          "https://v.vault.azure.net/keys/tde/0698-c215",           // not a version
                          "https://[::1/keys/tde/0698c215"}) {                      // not a URI
    EXPECT_FALSE(ParseKid(bad)) << bad;
  }
  EXPECT_FALSE(ParseKid("https://v/keys/" + std::string(128, 'a') + "/0698c215"));
  EXPECT_FALSE(ParseKid("https://v/keys/tde/" + std::string(65, 'a')));
}

TEST(KeyId, KeyNameInARequestPath) {
  EXPECT_EQ(KeyNameInPath("/keys/tde/0698c215/unwrapkey"), "tde");
  EXPECT_EQ(KeyNameInPath("/keys/tde/versions?maxresults=25"), "tde");
  EXPECT_EQ(KeyNameInPath("/keys/tde?api-version=7.4"), "tde");
  EXPECT_EQ(KeyNameInPath("/keys/tde"), "tde");
  EXPECT_EQ(KeyNameInPath("/secrets/tde"), "");
  EXPECT_EQ(KeyNameInPath(""), "");
}

}  // namespace
}  // namespace geoekm
