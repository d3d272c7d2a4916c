#include "core/base64url.h"

#include <gtest/gtest.h>

namespace geoekm {
namespace {

TEST(Base64Url, EncodesWithoutPaddingUsingUrlAlphabet) {
  const unsigned char aqab[] = {0x01, 0x00, 0x01};
  EXPECT_EQ(Base64UrlEncode(aqab, sizeof aqab), "AQAB");
  const unsigned char ff[] = {0xff};
  EXPECT_EQ(Base64UrlEncode(ff, sizeof ff), "_w");
  const unsigned char fbff[] = {0xfb, 0xff};
  EXPECT_EQ(Base64UrlEncode(fbff, sizeof fbff), "-_8");
  EXPECT_EQ(Base64UrlEncode(std::string_view("")), "");
}

TEST(Base64Url, DecodesWithAndWithoutPadding) {
  auto a = Base64UrlDecode("_w");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, Bytes({0xff}));
  auto b = Base64UrlDecode("_w==");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, Bytes({0xff}));
  auto c = Base64UrlDecode("-_8");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Bytes({0xfb, 0xff}));
}

TEST(Base64Url, RoundTripsAllLengths) {
  Bytes data;
  for (int i = 0; i < 70; ++i) {
    auto text = Base64UrlEncode(data);
    EXPECT_EQ(text.find('='), std::string::npos);
    auto back = Base64UrlDecode(text);
    ASSERT_TRUE(back.ok()) << i;
    EXPECT_EQ(*back, data);
    data.push_back(static_cast<std::uint8_t>(i * 37 + 11));
  }
}

TEST(Base64Url, SecureDecodeAndStandardEncodeAgreeWithTheUrlCodec) {
  Bytes data;
  for (int i = 0; i < 600; ++i) data.push_back(static_cast<std::uint8_t>(i * 101 + 7));
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{256},
                          std::size_t{600}}) {
    const Bytes part(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(len));
    const std::string url = Base64UrlEncode(part);
    auto secure = Base64UrlDecodeSecure(url);
    ASSERT_TRUE(secure.ok()) << len;
    EXPECT_EQ(Bytes(secure->begin(), secure->end()), part);
    // Standard base64: padded, '+' and '/' where url has '-' and '_'.
    std::string standard = Base64Encode(part.data(), part.size());
    EXPECT_EQ(standard.size() % 4, 0u);
    while (!standard.empty() && standard.back() == '=') standard.pop_back();
    for (char& c : standard) c = c == '+' ? '-' : c == '/' ? '_' : c;
    EXPECT_EQ(standard, url) << len;
  }
  EXPECT_EQ(Base64Encode("\xff", 1), "/w==");
}

TEST(Base64Url, RejectsStandardAlphabetAndBadLength) {
  EXPECT_FALSE(Base64UrlDecode("ab=c").ok());
  EXPECT_FALSE(Base64UrlDecodeSecure("a").ok());
  EXPECT_FALSE(Base64UrlDecode("/w==").ok());
  EXPECT_FALSE(Base64UrlDecode("a+b").ok());
  EXPECT_FALSE(Base64UrlDecode("abcde").ok());
  EXPECT_EQ(Base64UrlDecode("a b").status().error_class(), ErrorClass::kInvalidInput);
}

}  // namespace
}  // namespace geoekm
