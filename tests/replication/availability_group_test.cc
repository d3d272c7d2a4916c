// An availability group: several SQL nodes, each with its own provider and
// its own state store, the vaults being the shared truth. Two runtimes with
// separate state files on the same testbed vaults: a rotation made through
// one node's configuration is used for wraps by the other within its
// current-version TTL without a restart, DEKs wrapped by either node before
// and after unwrap on both, and verify-history agrees on both.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "config/config_loader.h"
#include "tests/replication/replication_fixture.h"
#include "tests/replication/write_side_support.h"
#include "tests/support/soon.h"

namespace geoekm::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr auto kCurrentVersionTtl = std::chrono::seconds(2);

class AvailabilityGroup : public ReplicationTestbed {
 protected:
  std::unique_ptr<VaultSetRuntime> OpenNode(const std::string& ini) {
    auto config = LoadVaultSetConfig(ini);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return nullptr;
    RuntimeOptions options;
    options.adjust_router = [](RouterOptions& o) {
      o.current_version_ttl = kCurrentVersionTtl;
      o.background_probing = false;
    };
    auto rt = VaultSetRuntime::Open(*config, options);
    EXPECT_TRUE(rt.ok()) << rt.status().ToString();
    return rt.ok() ? std::move(rt).value() : nullptr;
  }

  struct Wrapped {
    WrappedKey key;
    SecureBytes dek;
  };
  Wrapped WrapOn(VaultSetRuntime& node, std::uint8_t fill) {
    SecureBytes dek(32, fill);
    auto w = node.router().Wrap(key_, WrapAlgorithm::kRsaOaep256, dek, Soon());
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return {w.ok() ? *w : WrappedKey{}, dek};
  }
  void ExpectUnwraps(VaultSetRuntime& node, const Wrapped& w, const std::string& what) {
    auto plain = node.router().Unwrap({key_, w.key.thumbprint, "", w.key.algorithm, w.key.wrapped}, Soon());
    ASSERT_TRUE(plain.ok()) << what << ": " << plain.status().ToString();
    EXPECT_EQ(*plain, w.dek) << what;
  }
};

TEST_F(AvailabilityGroup, ARotationThroughOneNodeIsUsedByTheOtherWithinItsTtlAndOldDeksUnwrapOnBoth) {
  const std::string a_ini = WriteConfigVariant(info(), "node-a.ini", "", info().dir + "/node-a-state.db");
  const std::string b_ini = WriteConfigVariant(info(), "node-b.ini", "", info().dir + "/node-b-state.db");
  auto a = OpenNode(a_ini);
  auto b = OpenNode(b_ini);
  ASSERT_TRUE(a && b);
  const Wrapped a0 = WrapOn(*a, 0xa0), b0 = WrapOn(*b, 0xb0);
  ASSERT_FALSE(a0.key.thumbprint.empty());
  ASSERT_EQ(a0.key.thumbprint, b0.key.thumbprint);

  const std::string pass = WritePassphraseFile(info(), "ag.pass", "ag passphrase");
  std::string out, err;
  ASSERT_EQ(Run({"rotate", "--config", a_ini, "--escrow-out", info().dir + "/ag.escrow.pem", "--passphrase-file",
                 pass, "--apply"},
                &out, &err),
            0)
      << out << err;
  const auto rotated_at = Clock::now();

  // Node B, never restarted, moves to the new version once its cached
  // current version is older than the TTL (plus the router's relisting).
  Wrapped b1;
  while (Clock::now() - rotated_at < kCurrentVersionTtl + std::chrono::seconds(10)) {
    b1 = WrapOn(*b, 0xb1);
    if (!b1.key.thumbprint.empty() && b1.key.thumbprint != b0.key.thumbprint) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto switched_after = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - rotated_at);
  ASSERT_NE(b1.key.thumbprint, b0.key.thumbprint) << "node B still wraps with the old version";
  EXPECT_THAT(out, HasSubstr(b1.key.thumbprint));  // the rotation's material
  EXPECT_LE(switched_after, kCurrentVersionTtl + std::chrono::seconds(1)) << switched_after.count() << " ms";
  std::this_thread::sleep_for(kCurrentVersionTtl);
  const Wrapped a1 = WrapOn(*a, 0xa1);
  EXPECT_EQ(a1.key.thumbprint, b1.key.thumbprint);

  for (VaultSetRuntime* node : {a.get(), b.get()}) {
    const std::string name = node == a.get() ? "node A" : "node B";
    ExpectUnwraps(*node, a0, name + " / DEK of A before");
    ExpectUnwraps(*node, b0, name + " / DEK of B before");
    ExpectUnwraps(*node, a1, name + " / DEK of A after");
    ExpectUnwraps(*node, b1, name + " / DEK of B after");
  }

  // Both stores hold both versions; verify-history says the same on both.
  std::string out_a, out_b;
  EXPECT_EQ(Run({"verify-history", "--config", a_ini, "--json"}, &out_a, &err), 0) << out_a << err;
  EXPECT_EQ(Run({"verify-history", "--config", b_ini, "--json"}, &out_b, &err), 0) << out_b << err;
  for (const std::string& t : {a0.key.thumbprint, b1.key.thumbprint}) {
    EXPECT_THAT(out_a, HasSubstr(t));
    EXPECT_THAT(out_b, HasSubstr(t));
  }
}

}  // namespace
}  // namespace geoekm::testing
