#include "core/jwk_thumbprint.h"

#include <gtest/gtest.h>

namespace geoekm {
namespace {

// RFC 7638 §3.1 example key.
constexpr const char* kRfcN =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj"
    "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQ"
    "vRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK"
    "nqDKgw";

TEST(JwkThumbprint, MatchesRfc7638TestVector) {
  auto t = RsaJwkThumbprint("RSA", kRfcN, "AQAB");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(JwkThumbprint, NormalisesHsmKeyType) {
  auto soft = RsaJwkThumbprint("RSA", kRfcN, "AQAB");
  auto hsm = RsaJwkThumbprint("RSA-HSM", kRfcN, "AQAB");
  ASSERT_TRUE(soft.ok() && hsm.ok());
  EXPECT_EQ(*soft, *hsm);
}

TEST(JwkThumbprint, StripsLeadingZeroOctetsAndPadding) {
  // e = 00 01 00 01 encodes as "AAEAAQ" and must hash like "AQAB".
  auto t = RsaJwkThumbprint("RSA", kRfcN, "AAEAAQ==");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(JwkThumbprint, DifferentMaterialDiffers) {
  std::string n = kRfcN;
  n[10] = (n[10] == 'A') ? 'B' : 'A';
  auto t = RsaJwkThumbprint("RSA", n, "AQAB");
  ASSERT_TRUE(t.ok());
  EXPECT_NE(*t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(JwkThumbprint, RejectsNonRsaAndGarbage) {
  EXPECT_FALSE(RsaJwkThumbprint("EC", kRfcN, "AQAB").ok());
  EXPECT_FALSE(RsaJwkThumbprint("RSA", "not*base64", "AQAB").ok());
  EXPECT_FALSE(RsaJwkThumbprint("RSA", kRfcN, "").ok());
}

}  // namespace
}  // namespace geoekm
