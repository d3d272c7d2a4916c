// NextLinkTarget with the spec's literal nextLink (docs/ARCHITECTURE.md §Paging):
// explicit :443, its own api-version, an opaque $skiptoken kept byte for
// byte; links to another origin are refused.
#include "keyvault/keys/next_link.h"

#include <gtest/gtest.h>

namespace geoekm {
namespace {

constexpr char kSpecNextLink[] =
    "https://myvault.vault.azure.net:443/keys/listkeyversionstest/versions?api-version=7.2&"
    "$skiptoken=eyJOZXh0TWFya2VyIjoi&maxresults=1";

TEST(NextLinkTarget, FollowsTheSpecExampleWithoutItsApiVersion) {
  auto target = NextLinkTarget(kSpecNextLink, "myvault.vault.azure.net", 443);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(*target, "/keys/listkeyversionstest/versions?$skiptoken=eyJOZXh0TWFya2VyIjoi&maxresults=1");
  // Without an explicit port, https means 443; host names compare case-insensitively.
  auto no_port = NextLinkTarget("https://MyVault.vault.azure.net/keys/k/versions?api-version=7.4", "myvault.vault.azure.net", 443);
  ASSERT_TRUE(no_port.ok());
  EXPECT_EQ(*no_port, "/keys/k/versions");
}

TEST(NextLinkTarget, KeepsTheOpaqueTokenByteForByte) {
  // Escapes and '+' in the skiptoken must not be decoded or re-encoded.
  auto target = NextLinkTarget(
      "https://v.vault.test:8443/keys/k/versions?$skiptoken=a%2Bb%3D%3D+c&API-VERSION=7.3&maxresults=25",
      "v.vault.test", 8443);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(*target, "/keys/k/versions?$skiptoken=a%2Bb%3D%3D+c&maxresults=25");
}

TEST(NextLinkTarget, AcceptsARelativeLinkAsTheSameOrigin) {
  auto target = NextLinkTarget("/keys/k/versions?$skiptoken=1", "v.vault.test", 443);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(*target, "/keys/k/versions?$skiptoken=1");
}

TEST(NextLinkTarget, RefusesAnotherOrigin) {
  EXPECT_FALSE(NextLinkTarget("https://evil.example/keys/k/versions", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("https://v.vault.test.evil.example/keys/k/versions", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("https://v.vault.test:444/keys/k/versions", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("http://v.vault.test/keys/k/versions", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("https://v.vault.test/keys/../../admin", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("https://v.vault.test/keys/a%2Fb/versions", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("https://v.vault.test?next=/keys/k", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("", "v.vault.test", 443).ok());
  EXPECT_FALSE(NextLinkTarget("not a url at all", "v.vault.test", 443).ok());
  auto refused = NextLinkTarget("https://evil.example/keys/k/versions", "v.vault.test", 443);
  EXPECT_NE(refused.status().message().find("another host"), std::string::npos) << refused.status().message();
}

}  // namespace
}  // namespace geoekm
