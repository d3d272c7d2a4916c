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

TEST(Status, ACopyIsIndependentAndWhole) {
  Status original(codes::kHttpForbidden, ErrorClass::kForbidden, "missing unwrapKey permission");
  original.WithHttp(403, "Forbidden", "req-1").WithVault("eastus").WithForbiddenReason(ForbiddenReason::kPermission);
  Status copy = original;
  copy.Prefix("unwrap: ").WithVault("westus");
  EXPECT_EQ(copy.code(), codes::kHttpForbidden);
  EXPECT_EQ(copy.http_status(), 403);
  EXPECT_EQ(copy.request_id(), "req-1");
  EXPECT_EQ(copy.forbidden_reason(), ForbiddenReason::kPermission);
  EXPECT_EQ(copy.vault(), "westus");
  EXPECT_EQ(original.vault(), "eastus");
  EXPECT_EQ(original.message(), "missing unwrapKey permission");
  Status assigned;
  assigned = original;
  EXPECT_EQ(assigned.ToString(), original.ToString());
  assigned = Status::Ok();
  EXPECT_TRUE(assigned.ok());
  EXPECT_EQ(assigned.message(), "");
  EXPECT_EQ(assigned.vault(), "");
}

// A failure moved from stays a failure (code, class, HTTP status), as it did
// when its members were plain values: code that reads a Result after moving
// its status out must not see success.
TEST(Status, AFailureMovedFromStaysAFailure) {
  Status failed(codes::kHttpNotFound, ErrorClass::kNotFound, "no such key");
  failed.WithHttp(404, "KeyNotFound", "req-2");
  Status moved = std::move(failed);
  EXPECT_EQ(moved.message(), "no such key");
  EXPECT_FALSE(failed.ok());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(failed.code(), codes::kHttpNotFound);
  EXPECT_EQ(failed.error_class(), ErrorClass::kNotFound);
  EXPECT_EQ(failed.http_status(), 404);
  Status assigned;
  assigned = std::move(moved);
  EXPECT_FALSE(moved.ok());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(assigned.request_id(), "req-2");
  Status ok_moved;
  Status target = std::move(ok_moved);
  EXPECT_TRUE(ok_moved.ok());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(target.ok());
}

TEST(Status, DetailsOnASuccessLeaveItASuccess) {
  Status s;
  s.WithVault("eastus").WithHttp(200, "", "req-3");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.vault(), "eastus");
  EXPECT_EQ(s.request_id(), "req-3");
  EXPECT_EQ(s.ToString(), "ok");
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
