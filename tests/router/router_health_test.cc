// Outlier detection through the router: suspect → ejected, probing with
// exponential backoff, failback after the hysteresis, error-rate ejection,
// and the background prober on the real clock.
#include <thread>

#include "core/error_codes.h"
#include "tests/router/router_fixture.h"

namespace geoekm::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class HealthTest : public RouterFixture {
 protected:
  void UnwrapOk() {
    const SecureBytes dek = RandomDek();
    auto r = router_->Unwrap(Request(WrapLocally(dek)), Soon());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, dek);
  }
  VaultHealthSnapshot Snap(int i) { return router_->Health()[static_cast<std::size_t>(i)]; }
};

TEST_F(HealthTest, EjectProbeBackoffAndFailBackAfterHysteresis) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedging_enabled = false;
    o.tuning.consecutive_failures_to_eject = 3;
    o.tuning.probe_interval = seconds(2);
    o.tuning.probe_interval_max = seconds(60);
    o.tuning.failback_hysteresis = seconds(10);
  });
  UnwrapOk();
  vault(0).Fail(FakeOp::kUnwrap, VaultFailure(ErrorClass::kTransient));
  UnwrapOk();
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kSuspect);
  UnwrapOk();
  UnwrapOk();
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
  EXPECT_EQ(vault(0).unwraps(), 4);
  UnwrapOk();
  EXPECT_EQ(vault(0).unwraps(), 4);  // ejected: not asked while v1 answers
  EXPECT_EQ(router_->stats().ejections, 1u);

  router_->RunDueProbes();
  EXPECT_EQ(router_->stats().probes, 0u);  // not due yet
  clock_.Advance(seconds(2));
  router_->RunDueProbes();
  EXPECT_EQ(router_->stats().probes, 1u);
  EXPECT_EQ(router_->stats().probe_failures, 1u);  // canary unwrap still fails
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
  clock_.Advance(seconds(2));
  router_->RunDueProbes();
  EXPECT_EQ(router_->stats().probes, 1u);  // backoff doubled to 4 s
  clock_.Advance(seconds(2));
  router_->RunDueProbes();
  EXPECT_EQ(router_->stats().probes, 2u);

  vault(0).Fail(FakeOp::kUnwrap, std::nullopt);  // healed
  clock_.Advance(seconds(8));
  router_->RunDueProbes();
  EXPECT_EQ(router_->stats().probes, 3u);
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kProbing);
  const int v0_before = vault(0).unwraps();
  UnwrapOk();  // v1 still serves during the hysteresis
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(seconds(2));
    router_->RunDueProbes();
    EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kProbing) << "after " << (i + 1) * 2 << " s";
  }
  clock_.Advance(seconds(2));
  router_->RunDueProbes();
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kHealthy);
  EXPECT_EQ(router_->stats().failbacks, 1u);
  const int probe_unwraps = vault(0).unwraps() - v0_before;  // each probe unwraps a canary
  UnwrapOk();
  EXPECT_EQ(vault(0).unwraps(), v0_before + probe_unwraps + 1);  // traffic is back on the primary

  const auto t = events_->TransitionsOf("v0");
  const std::vector<std::string> expected = {"healthy->suspect", "suspect->ejected", "ejected->probing",
                                             "probing->ejected", "ejected->probing", "probing->ejected",
                                             "ejected->probing", "probing->healthy"};
  EXPECT_EQ(t, expected);
  for (const auto& e : events_->health()) {
    if (e.vault == "v0" && e.to == VaultHealthState::kEjected) {
      EXPECT_EQ(e.error_code, codes::kHttpServerError);
      EXPECT_EQ(e.http_status, 503);
      EXPECT_FALSE(e.reason.empty());
    }
  }
}

TEST_F(HealthTest, ProbeBackoffIsCapped) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedging_enabled = false;
    o.tuning.consecutive_failures_to_eject = 1;
    o.tuning.probe_interval = seconds(2);
    o.tuning.probe_interval_max = seconds(5);
  });
  vault(0).FailAll(VaultFailure(ErrorClass::kAuth));
  UnwrapOk();
  ASSERT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(seconds(5));
    router_->RunDueProbes();
  }
  EXPECT_EQ(router_->stats().probes, 5u);  // 2, 4, then capped at 5 s: due every time
  ASSERT_TRUE(Snap(0).next_probe_at.has_value());
}

TEST_F(HealthTest, ErrorRateEjects) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedging_enabled = false;
    o.tuning.consecutive_failures_to_eject = 1000;
    o.tuning.error_rate_to_eject = 0.5;
    o.min_request_volume = 10;
  });
  UnwrapOk();  // warm: list + get + unwrap on v0
  for (int i = 0; i < 40 && router_->HealthOf("v0") != VaultHealthState::kEjected; ++i) {
    if (i % 3 != 2) vault(0).FailNext(FakeOp::kUnwrap, VaultFailure(ErrorClass::kTransient), 1);
    UnwrapOk();
  }
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
  bool by_rate = false;
  for (const auto& e : events_->health())
    by_rate |= e.vault == "v0" && e.to == VaultHealthState::kEjected && e.reason.find("error rate") != std::string::npos;
  EXPECT_TRUE(by_rate);
}

TEST_F(HealthTest, SuccessClearsSuspicion) {
  Build(2, [](RouterOptions& o) { o.tuning.hedging_enabled = false; });
  vault(0).FailNext(FakeOp::kUnwrap, VaultFailure(ErrorClass::kTransient), 1);
  UnwrapOk();
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kSuspect);
  UnwrapOk();
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kHealthy);
}

TEST_F(HealthTest, NotFoundAndBadRequestDoNotCountAgainstAVault) {
  Build(2, [](RouterOptions& o) {
    o.tuning.hedging_enabled = false;
    o.tuning.consecutive_failures_to_eject = 1;
  });
  auto r = router_->Unwrap(Request(Bytes(256, 1)), Soon());
  EXPECT_EQ(r.status().error_class(), ErrorClass::kBadRequest);
  vault(0).FailNext(FakeOp::kUnwrap, VaultFailure(ErrorClass::kNotFound), 1);
  UnwrapOk();
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kHealthy);
}

TEST_F(HealthTest, BackgroundProberFailsBackOnTheRealClock) {
  Build(2, [](RouterOptions& o) {
    o.clock = nullptr;  // real steady clock
    o.background_probing = true;
    o.tuning.hedging_enabled = false;
    o.tuning.consecutive_failures_to_eject = 1;
    o.tuning.probe_interval = milliseconds(50);
    o.tuning.probe_interval_max = milliseconds(200);
    o.tuning.failback_hysteresis = seconds(0);
  });
  vault(0).Fail(FakeOp::kUnwrap, VaultFailure(ErrorClass::kTransient));
  UnwrapOk();
  ASSERT_EQ(router_->HealthOf("v0"), VaultHealthState::kEjected);
  vault(0).Fail(FakeOp::kUnwrap, std::nullopt);
  const auto give_up = Clock::now() + seconds(20);
  while (Clock::now() < give_up && router_->HealthOf("v0") != VaultHealthState::kHealthy)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(router_->HealthOf("v0"), VaultHealthState::kHealthy);
  EXPECT_GE(router_->stats().probes, 1u);
}

}  // namespace
}  // namespace geoekm::testing
