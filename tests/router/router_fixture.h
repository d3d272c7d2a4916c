// RouterFixture: N fake vaults holding the same RSA key under "tde" (each
// with its own version id, as after a BYOK import), a router over them with
// a fake clock, an EventLog observer and a MemoryRecorder.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/router/fake_key_vault.h"
#include "tests/router/router_test_support.h"
#include "tests/router/test_rsa_key.h"
#include "vault_router/vault_router.h"

namespace geoekm::testing {

inline const std::string kKey = "tde";

// Generated once per process: RSA key generation is slow under sanitizers.
const std::shared_ptr<const TestRsaKey>& GoodKey();
const std::shared_ptr<const TestRsaKey>& RogueKey();
const std::shared_ptr<const TestRsaKey>& RotatedKey();

SecureBytes RandomDek();

class RouterFixture : public ::testing::Test {
 protected:
  // Vault i is named "v<i>" with priority i; tweak adjusts the options.
  void Build(int vaults, const std::function<void(RouterOptions&)>& tweak = {},
             const std::vector<std::shared_ptr<const TestRsaKey>>& material = {});
  void TearDown() override;

  FakeKeyVault& vault(int i) { return *vaults_[static_cast<std::size_t>(i)]; }
  const std::string& version(int i) const { return versions_[static_cast<std::size_t>(i)]; }
  UnwrapRequest Request(const Bytes& wrapped) const;
  Bytes WrapLocally(const SecureBytes& dek) const;
  // n random DEKs wrapped locally and an unwrap request for each (distinct:
  // the router does not coalesce them).
  struct DistinctUnwraps {
    std::vector<SecureBytes> deks;
    std::vector<UnwrapRequest> requests;
  };
  DistinctUnwraps MakeDistinctUnwraps(int n) const;
  static Deadline Soon() { return Deadline::After(std::chrono::seconds(20)); }

  FakeClock clock_;
  std::shared_ptr<EventLog> events_ = std::make_shared<EventLog>();
  std::shared_ptr<MemoryRecorder> recorder_ = std::make_shared<MemoryRecorder>();
  std::vector<std::shared_ptr<FakeKeyVault>> vaults_;
  std::vector<std::string> versions_;
  std::unique_ptr<VaultRouter> router_;
};

}  // namespace geoekm::testing
