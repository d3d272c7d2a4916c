// Shared bits of the vaultsim integration tests: one vault process per test
// suite (keys are named per test, so tests do not interfere), and helpers to
// create keys and call the data plane with api-version 7.5.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/support/vaultsim_process.h"

namespace geoekm::testing {

inline const std::string kApi = "api-version=7.5";

inline std::string WithApi(const std::string& path) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + kApi;
}

// A suite with one shared vault (eastus, throttling off).
class SharedVaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vault_ = VaultSimProcess::Start(VaultSimOptions{}).release();
    ASSERT_NE(vault_, nullptr) << VaultSimProcess::last_error();
  }
  static void TearDownTestSuite() {
    delete vault_;
    vault_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(vault_, nullptr);
    client_ = std::make_unique<TestHttpsClient>(vault_->Client());
  }

  TestResponse Call(const std::string& method, const std::string& path, const std::string& body = "") {
    return client_->Send(method, WithApi(path), body);
  }
  // Creates an RSA key and returns its version id ("" on failure).
  std::string CreateKey(const std::string& name, const std::string& body = R"({"kty":"RSA"})") {
    TestResponse r = Call("POST", "/keys/" + name + "/create", body);
    EXPECT_EQ(r.status, 200) << r.body;
    std::string kid = r.Json()->getObject("key") ? r.Json()->getObject("key")->optValue<std::string>("kid", "") : "";
    return kid.substr(kid.rfind('/') + 1);
  }
  std::string Kid(const std::string& name, const std::string& version) const {
    return vault_->base_url() + "/keys/" + name + "/" + version;
  }

  static VaultSimProcess* vault_;
  std::unique_ptr<TestHttpsClient> client_;
};

inline VaultSimProcess* SharedVaultTest::vault_ = nullptr;

}  // namespace geoekm::testing
