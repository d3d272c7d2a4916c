#include "core/status.h"

#include <gtest/gtest.h>

#include "core/error_codes.h"
#include "core/result.h"

namespace geoekm {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesVaultDetailsIntoToString) {
  Status s(codes::kHttpForbidden, ErrorClass::kForbidden, "missing unwrapKey permission");
  s.WithHttp(403, "Forbidden", "req-1").WithVault("eastus");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(),
            "error 3077 (forbidden) [vault eastus, HTTP 403 Forbidden, request-id req-1]: missing unwrapKey permission");
}

TEST(Status, PrefixKeepsCode) {
  Status s(codes::kConfigInvalid, ErrorClass::kInvalidInput, "bad");
  s.Prefix("a.ini: ");
  EXPECT_EQ(s.code(), codes::kConfigInvalid);
  EXPECT_EQ(s.message(), "a.ini: bad");
}

TEST(ErrorCodes, DescribesConnectorCodes) {
  EXPECT_NE(codes::Describe(2050).find("shorter than 32"), std::string_view::npos);
  EXPECT_NE(codes::Describe(3077).find("wrapKey"), std::string_view::npos);
  EXPECT_EQ(codes::Describe(424242), "");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good(7);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad(Status(codes::kFailure, ErrorClass::kInternal, "x"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), codes::kFailure);
}

}  // namespace
}  // namespace geoekm
