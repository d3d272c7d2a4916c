// TestbedSuite: a gtest fixture whose test suite shares one Testbed, brought
// up before the suite's first test and down after its last. A test of a
// suite whose testbed did not start fails at once.
//
// Typical use:
//   class MyTest : public geoekm::testing::TestbedSuite {};
//   TEST_F(MyTest, X) { TestHttpsClient c(info().login_host, info().login_port, info().ca_bundle); }
//
// Thread safety: gtest runs suites one after another; not for other threads.
#pragma once

#include <gtest/gtest.h>

#include <utility>

#include "tests/support/testbed.h"

namespace geoekm::testing {

class TestbedSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto tb = Testbed::Start();
    ASSERT_TRUE(tb.ok()) << tb.status().ToString();
    testbed_ = std::move(tb).value().release();
  }
  static void TearDownTestSuite() {
    delete testbed_;
    testbed_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(testbed_, nullptr); }

  static Testbed& testbed() { return *testbed_; }
  static const TestbedInfo& info() { return testbed_->info(); }

 private:
  inline static Testbed* testbed_ = nullptr;
};

}  // namespace geoekm::testing
