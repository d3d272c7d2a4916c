#include "tests/router/router_fixture.h"

#include <openssl/rand.h>

namespace geoekm::testing {

const std::shared_ptr<const TestRsaKey>& GoodKey() {
  static const auto key = TestRsaKey::Generate();
  return key;
}
const std::shared_ptr<const TestRsaKey>& RogueKey() {
  static const auto key = TestRsaKey::Generate();
  return key;
}
const std::shared_ptr<const TestRsaKey>& RotatedKey() {
  static const auto key = TestRsaKey::Generate();
  return key;
}

SecureBytes RandomDek() {
  SecureBytes dek(32);
  EXPECT_EQ(RAND_bytes(dek.data(), static_cast<int>(dek.size())), 1) << "OpenSSL RAND_bytes failed";
  return dek;
}

void RouterFixture::Build(int vaults, const std::function<void(RouterOptions&)>& tweak,
                          const std::vector<std::shared_ptr<const TestRsaKey>>& material) {
  std::vector<RoutedVault> routed;
  for (int i = 0; i < vaults; ++i) {
    auto v = std::make_shared<FakeKeyVault>("v" + std::to_string(i));
    const auto& key = static_cast<std::size_t>(i) < material.size() ? material[static_cast<std::size_t>(i)] : GoodKey();
    versions_.push_back(v->AddVersion(kKey, key));
    vaults_.push_back(v);
    routed.push_back(RoutedVault{v->vault_name(), i, v, v->vault_name() + ".vault.test", 443});  // the fake's kids
  }
  RouterOptions o;
  o.probe_key_names = {kKey};
  o.observer = events_;
  o.recorder = recorder_;
  o.clock = [this] { return clock_.Now(); };
  o.background_probing = false;
  o.worker_threads = 8;
  o.tuning.hedge_delay_floor = std::chrono::milliseconds(50);
  o.tuning.hedge_delay_cap = std::chrono::milliseconds(200);
  if (tweak) tweak(o);
  router_ = std::make_unique<VaultRouter>(std::move(routed), std::move(o));
}

void RouterFixture::TearDown() {
  for (auto& v : vaults_) v->ReleaseAll();
  router_.reset();
}

UnwrapRequest RouterFixture::Request(const Bytes& wrapped) const {
  UnwrapRequest r;
  r.key_name = kKey;
  r.thumbprint = GoodKey()->Thumbprint();
  r.algorithm = WrapAlgorithm::kRsaOaep256;
  r.wrapped = wrapped;
  return r;
}

Bytes RouterFixture::WrapLocally(const SecureBytes& dek) const {
  return *GoodKey()->Encrypt(WrapAlgorithm::kRsaOaep256, dek);
}

RouterFixture::DistinctUnwraps RouterFixture::MakeDistinctUnwraps(int n) const {
  DistinctUnwraps out;
  for (int i = 0; i < n; ++i) {
    out.deks.push_back(RandomDek());
    out.requests.push_back(Request(WrapLocally(out.deks.back())));
  }
  return out;
}

}  // namespace geoekm::testing
