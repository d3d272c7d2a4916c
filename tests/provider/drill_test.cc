// The README's main job, end to end: `geoekm drill` on a real testbed kills
// the primary region's vault process, unwraps every DEK through the others,
// restarts it and sees geoekm fail back, with the report read from the
// state store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "provider/cli/dispatcher.h"
#include "state/state_store.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"

namespace geoekm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Drill, KillsPrimaryUnwrapsEverythingElsewhereAndFailsBack) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  const std::string vaultsim = testing::Testbed::VaultsimBinary();
  const std::string dir = (*tb)->dir();
  std::ostringstream out, err;
  int rc = cli::RunCli({"drill", "--config", (*tb)->info().geoekm_ini, "--deks", "12", "--primary", "eastus",
                        "--outage-command", "'" + vaultsim + "' testbed kill --dir '" + dir + "' --vault eastus",
                        "--recover-command", "'" + vaultsim + "' testbed start --dir '" + dir + "' --vault eastus",
                        "--failback-timeout-s", "90"},
                       out, err);
  const std::string report = out.str();
  EXPECT_EQ(rc, 0) << report << err.str();
  EXPECT_THAT(report, HasSubstr("verdict: PASS"));
  EXPECT_THAT(report, Not(HasSubstr("[FAIL]")));
  // The store recorded the primary leaving and coming back.
  EXPECT_THAT(report, HasSubstr("eastus"));
  EXPECT_THAT(report, HasSubstr("-> ejected"));
  EXPECT_THAT(report, HasSubstr("-> healthy"));
  EXPECT_THAT(report, HasSubstr(" 0 failed, 0 audit rows coalesced (writer queue full)"));
  // Never a secret in the report.
  EXPECT_THAT(report, Not(HasSubstr((*tb)->ClientSecret())));
}

TEST(Drill, WithoutOutageCommandsChecksAndWrapsOnly) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  std::ostringstream out, err;
  int rc = cli::RunCli({"drill", "--config", (*tb)->info().geoekm_ini, "--deks", "3"}, out, err);
  EXPECT_EQ(rc, 0) << out.str() << err.str();
  EXPECT_THAT(out.str(), HasSubstr("[PASS] every vault holds the current key version"));
  EXPECT_THAT(out.str(), HasSubstr("skipped: no --outage-command given"));
}

TEST(Drill, RejectsBadArguments) {
  std::ostringstream out, err;
  EXPECT_EQ(cli::RunCli({"drill"}, out, err), 2);
  EXPECT_EQ(cli::RunCli({"drill", "--config", "x.ini", "--deks", "0"}, out, err), 2);
  EXPECT_EQ(cli::RunCli({"drill", "--config", "x.ini", "--outage-command", "true"}, out, err), 2);
  EXPECT_EQ(cli::RunCli({"drill", "--config", "/nonexistent/x.ini"}, out, err), 1);
}

}  // namespace
}  // namespace geoekm

namespace geoekm {
namespace {

// `geoekm state rebuild`: a lost state file is rebuilt from the vaults, and
// the command says what the vaults cannot tell.
TEST(StateRebuild, RebuildsKeyHistoryFromTheVaultsAndSaysWhatIsUnknown) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  std::ostringstream out, err;
  int rc = cli::RunCli({"state", "rebuild", "--config", (*tb)->info().geoekm_ini}, out, err);
  EXPECT_EQ(rc, 0) << out.str() << err.str();
  // One key version (same thumbprint in all three vaults, two version ids).
  EXPECT_THAT(out.str(), HasSubstr("key versions added:          1"));
  EXPECT_THAT(out.str(), HasSubstr("copies verified:             3"));
  EXPECT_THAT(out.str(), HasSubstr("what could not be known"));
  std::ostringstream again, err2;
  EXPECT_EQ(cli::RunCli({"state", "rebuild", "--config", (*tb)->info().geoekm_ini}, again, err2), 0);
  EXPECT_THAT(again.str(), HasSubstr("key versions already known:  1"));
  std::ostringstream usage, err3;
  EXPECT_EQ(cli::RunCli({"state", "rebuild"}, usage, err3), 2);
}

// A vault answering a kid that names another key (or vault) does not get
// that bundle recorded: the rebuild reports it rejected and records no
// history for a key the set does not serve.
TEST(StateRebuild, RejectsBundlesWhoseKidNamesAnotherKeyOrVault) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  const auto& east = (*tb)->info().Vault("eastus");
  testing::VaultSimAdminClient admin(east.host, east.admin_port, (*tb)->info().ca_bundle, east.admin_token);
  const std::string hostile = east.url + "/keys/other-key/" + std::string(32, 'a');
  ASSERT_TRUE(admin.SetFaults(R"({"tamper":{"kid":")" + hostile + R"(","operations":["get"]}})"));
  std::ostringstream out, err;
  int rc = cli::RunCli({"state", "rebuild", "--config", (*tb)->info().geoekm_ini}, out, err);
  EXPECT_EQ(rc, 1) << out.str() << err.str();
  EXPECT_THAT(out.str(), HasSubstr("rejected " + hostile + " from eastus: its kid names another key"));
  StateStoreOptions options;
  options.path = (*tb)->info().state_path;
  auto store = StateStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto other = (*store)->KeyHistory("other-key");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty()) << "history rows for a key the set does not serve";
  auto copies = (*store)->CopiesInVault("eastus");
  ASSERT_TRUE(copies.ok());
  for (const auto& c : *copies) EXPECT_EQ(c.kid.find("other-key"), std::string::npos) << c.kid;
}

}  // namespace
}  // namespace geoekm
