// The README's main job, end to end: `geoekm drill` on a real testbed goes
// through libgeoekm-ekm.so's SQL Crypto API as SQL Server does (or through
// the router with --router), kills the primary region's vault process,
// unwraps every DEK through the others, restarts it and sees geoekm fail
// back, with the report read from the state store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "provider/cli/dispatcher.h"
#include "state/state_store.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"

namespace geoekm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The drill's arguments that kill and restart eastus of `tb`.
std::vector<std::string> OutageDrill(testing::Testbed& tb, std::vector<std::string> extra) {
  const std::string vaultsim = testing::Testbed::VaultsimBinary();
  const std::string dir = tb.dir();
  std::vector<std::string> args = {
      "drill", "--config", tb.info().geoekm_ini, "--deks", "12", "--primary", "eastus", "--outage-command",
      "'" + vaultsim + "' testbed kill --dir '" + dir + "' --vault eastus", "--recover-command",
      "'" + vaultsim + "' testbed start --dir '" + dir + "' --vault eastus", "--failback-timeout-s", "90"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// What every passing outage drill reports, whichever path it took.
void ExpectOutageDrillPassed(const std::string& report, testing::Testbed& tb) {
  EXPECT_THAT(report, HasSubstr("verdict: PASS"));
  EXPECT_THAT(report, Not(HasSubstr("[FAIL]")));
  for (const char* check :
       {"[PASS] current key version opened by name", "[PASS] all DEKs wrapped — 12/12",
        "[PASS] baseline: every DEK unwraps to its plaintext — 12/12",
        "[PASS] during the outage every DEK unwraps — 12/12", "[PASS] failed back to the primary on its own",
        "[PASS] after failback every DEK unwraps — 12/12", "[PASS] the vault set shut down with everything recorded",
        "[PASS] every vault holds the current key version — eastus (version",
        "[PASS] during the outage the primary served nothing — successful vault calls on eastus: 0",
        "[PASS] after failback the primary serves the unwraps"}) {
    EXPECT_THAT(report, HasSubstr(check));
  }
  // The store recorded the primary leaving and coming back.
  EXPECT_THAT(report, HasSubstr("eastus     suspect -> ejected"));
  EXPECT_THAT(report, HasSubstr("eastus     probing -> healthy"));
  // Never a secret in the report.
  EXPECT_THAT(report, Not(HasSubstr(tb.ClientSecret())));
}

// The main job: every wrap and unwrap is a SqlCrypt* call into the library,
// whose own runtime writes the state store the report is read from.
TEST(Drill, ThroughTheLibraryKillsPrimaryUnwrapsEverythingElsewhereAndFailsBack) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  ASSERT_EQ(setenv("GEOEKM_CONFIG", "/nonexistent/left-alone.ini", 1), 0);
  std::ostringstream out, err;
  int rc = cli::RunCli(OutageDrill(**tb, {"--library", GEOEKM_EKM_LIBRARY}), out, err);
  const std::string report = out.str();
  EXPECT_EQ(rc, 0) << report << err.str();
  ExpectOutageDrillPassed(report, **tb);
  EXPECT_THAT(report, HasSubstr(std::string("through      the SQL Crypto API of ") + GEOEKM_EKM_LIBRARY));
  EXPECT_THAT(report, HasSubstr("by the library's own writer thread"));
  // The drill set GEOEKM_CONFIG for the library and put the old value back.
  ASSERT_NE(std::getenv("GEOEKM_CONFIG"), nullptr);
  EXPECT_STREQ(std::getenv("GEOEKM_CONFIG"), "/nonexistent/left-alone.ini");
  unsetenv("GEOEKM_CONFIG");

  // The library's runtime, not this process, wrote the store: its rows are
  // all there after SqlCryptFreeProvider, and the outage's unwraps went to
  // the vaults that were up.
  StateStoreOptions options;
  options.path = (*tb)->info().state_path;
  auto store = StateStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto summary = (*store)->AuditSummary(0);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  std::int64_t unwraps_ok = 0;
  for (const auto& row : *summary) {
    if (row.op == VaultCall::kUnwrap && row.outcome_code == 0) unwraps_ok += row.count;
  }
  EXPECT_GE(unwraps_ok, 3 * 12) << "baseline, outage and after-failback unwraps of 12 DEKs";
}

// The same drill straight through the router in this process.
TEST(Drill, ThroughTheRouterKillsPrimaryUnwrapsEverythingElsewhereAndFailsBack) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  std::ostringstream out, err;
  int rc = cli::RunCli(OutageDrill(**tb, {"--router"}), out, err);
  const std::string report = out.str();
  EXPECT_EQ(rc, 0) << report << err.str();
  ExpectOutageDrillPassed(report, **tb);
  EXPECT_THAT(report, HasSubstr("through      the router in this process"));
  EXPECT_THAT(report, HasSubstr(" 0 failed, 0 audit rows coalesced (writer queue full; written as summary rows with their count)"));
  EXPECT_THAT(report, HasSubstr(", 0 failed batches retried record by record"));
}

// A library the engine could not load is reported as the engine reports
// it, and the drill does not run.
TEST(Drill, ThroughALibraryLackingAFunctionReportsMsg33085) {
  auto tb = testing::Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  std::ostringstream out, err;
  EXPECT_EQ(cli::RunCli({"drill", "--config", (*tb)->info().geoekm_ini, "--library", GEOEKM_PARTIAL_PROVIDER},
                        out, err),
            1);
  EXPECT_THAT(err.str(), HasSubstr("Msg 33085, Level 16, State 12"));
  EXPECT_THAT(err.str(), HasSubstr("SqlCryptGetKeyInfoByThumb"));
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::RunCli({"drill", "--config", (*tb)->info().geoekm_ini, "--library", "/nonexistent/lib.so"}, out2,
                        err2),
            1);
  EXPECT_THAT(err2.str(), HasSubstr("cannot load the provider library /nonexistent/lib.so"));
  EXPECT_THAT(out2.str(), Not(HasSubstr("verdict")));
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
  EXPECT_EQ(cli::RunCli({"drill", "--config", "x.ini", "--router", "--library", "x.so"}, out, err), 2);
  EXPECT_EQ(cli::RunCli({"drill", "--config", "x.ini", "--router=yes"}, out, err), 2);
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
