// The operator views (status, history, explain), --json output of every
// replication command, and the exit codes 2 (usage) and 3 (could not run).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error_codes.h"
#include "provider/cli/cli_command.h"
#include "provider/cli/dispatcher.h"
#include "tests/replication/replication_fixture.h"

namespace geoekm {
namespace {

using ::testing::HasSubstr;

int RunCommand(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  int rc = cli::RunCli(args, o, e);
  *out = o.str();
  *err = e.str();
  return rc;
}

class OperatorViewsTest : public testing::ReplicationTestbed {};

TEST_F(OperatorViewsTest, HistoryListsEveryVersionAndWhereItLives) {
  ASSERT_TRUE(WrapOnce());
  const std::string old = info().thumbprint;
  const std::string current = RotateEverywhere();
  ASSERT_FALSE(current.empty());
  Close();
  const std::string old_in_japan = VersionIn("japaneast", old);
  std::string out, err;
  ASSERT_EQ(Run({"history", "--config", info().geoekm_ini}, &out, &err), cli::kExitOk) << err;
  EXPECT_THAT(out, HasSubstr("key 'tde-protector', 2 versions (oldest first)"));
  const auto old_at = out.find("1. " + old), current_at = out.find("2. " + current);
  EXPECT_NE(old_at, std::string::npos) << out;
  EXPECT_NE(current_at, std::string::npos) << out;
  EXPECT_THAT(out, HasSubstr("japaneast  " + old_in_japan + "  yes      verified"));

  ASSERT_EQ(Run({"history", "--config", info().geoekm_ini, "--json"}, &out, &err), cli::kExitOk) << err;
  auto doc = testing::ParseJsonObject(out);
  auto versions = doc->getArray("keys")->getObject(0)->getArray("versions");
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ(versions->getObject(0)->getValue<std::string>("thumbprint"), old);
  EXPECT_EQ(versions->getObject(0)->getArray("copies")->size(), 3u);
}

TEST_F(OperatorViewsTest, StatusShowsEveryVaultAndNamesAnUnreachableOne) {
  ASSERT_TRUE(WrapOnce());
  Close();
  const std::int64_t exp = static_cast<std::int64_t>(std::time(nullptr)) + 20 * 86400 + 3600;
  ASSERT_TRUE(Admin("westus").SetKeyAttributes(key_, VersionIn("westus", info().thumbprint), std::nullopt,
                                               std::nullopt, exp));
  std::string out, err;
  ASSERT_EQ(Run({"status", "--config", info().geoekm_ini}, &out, &err), cli::kExitOk) << err << out;
  EXPECT_THAT(out, HasSubstr("current version " + info().thumbprint));
  EXPECT_THAT(out, ::testing::ContainsRegex("westus +westus .* 1 +20 days"));
  EXPECT_THAT(out, ::testing::ContainsRegex("eastus +eastus .* 1 +never"));

  ASSERT_TRUE(testbed().KillVault("japaneast").ok());
  EXPECT_EQ(Run({"status", "--config", info().geoekm_ini, "--json"}, &out, &err), cli::kExitProblem) << err;
  auto doc = testing::ParseJsonObject(out);
  EXPECT_FALSE(doc->getValue<bool>("ok"));
  auto vaults = doc->getArray("vaults");
  ASSERT_EQ(vaults->size(), 3u);
  EXPECT_EQ(vaults->getObject(2)->getValue<std::string>("name"), "japaneast");
  EXPECT_FALSE(vaults->getObject(2)->getValue<bool>("readable"));
  EXPECT_EQ(vaults->getObject(1)->getValue<int>("days_to_expiry"), 20);
  EXPECT_GT(vaults->getObject(0)->getValue<int>("calls"), 0);  // the wrap above was audited
}

TEST_F(OperatorViewsTest, CheckAndVerifyHistoryJson) {
  ASSERT_TRUE(WrapOnce());
  Close();
  ASSERT_TRUE(Admin("westus").Revoke(info().client_id, {"wrapKey"}));
  std::string out, err;
  ASSERT_EQ(Run({"check", "--config", info().geoekm_ini, "--json"}, &out, &err), cli::kExitProblem) << err;
  auto doc = testing::ParseJsonObject(out);
  EXPECT_FALSE(doc->getValue<bool>("safe"));
  auto findings = doc->getArray("findings");
  ASSERT_EQ(findings->size(), 1u) << out;
  EXPECT_EQ(findings->getObject(0)->getValue<std::string>("kind"), "permission-missing");
  EXPECT_EQ(findings->getObject(0)->getValue<std::string>("vault"), "westus");
  EXPECT_THAT(findings->getObject(0)->getValue<std::string>("reason"), HasSubstr("'wrapKey'"));
  EXPECT_EQ(doc->getArray("cross_unwrap")->size(), 6u);  // 2 wrapping vaults x 3 unwrapping
  EXPECT_EQ(doc->getObject("inventory")->getArray("vaults")->size(), 3u);

  ASSERT_EQ(Run({"verify-history", "--config", info().geoekm_ini, "--json"}, &out, &err), cli::kExitOk) << err;
  doc = testing::ParseJsonObject(out);
  EXPECT_TRUE(doc->getValue<bool>("ok"));
  ASSERT_EQ(doc->getArray("versions")->size(), 1u);
  EXPECT_EQ(doc->getArray("versions")->getObject(0)->getArray("vaults")->size(), 3u);
}

TEST_F(OperatorViewsTest, VerifyHistoryWindowSelectsVersionsByUse) {
  ASSERT_TRUE(WrapOnce());
  Close();
  std::string out, err;
  // A window that ends before the first wrap holds no version.
  ASSERT_EQ(Run({"verify-history", "--config", info().geoekm_ini, "--to", "2001-01-01"}, &out, &err), cli::kExitOk);
  EXPECT_THAT(out, HasSubstr("no key version of the history was in use in the window"));
  ASSERT_EQ(Run({"verify-history", "--config", info().geoekm_ini, "--from", "2001-01-01T00:00Z"}, &out, &err),
            cli::kExitOk);
  EXPECT_THAT(out, HasSubstr("(1 version)"));
  EXPECT_EQ(Run({"verify-history", "--config", info().geoekm_ini, "--from", "yesterday"}, &out, &err),
            cli::kExitUsage);
  EXPECT_THAT(err, HasSubstr("--from"));
}

TEST_F(OperatorViewsTest, UsageErrorsAreTwoAndCouldNotRunIsThree) {
  std::string out, err;
  EXPECT_EQ(RunCommand({"check"}, &out, &err), cli::kExitUsage);
  EXPECT_THAT(err, HasSubstr("--config FILE is required"));
  EXPECT_EQ(RunCommand({"check", "--config", info().geoekm_ini, "--expiry-days", "x"}, &out, &err), cli::kExitUsage);
  EXPECT_EQ(RunCommand({"check", "--config", info().geoekm_ini, "--vaults", "nowhere"}, &out, &err), cli::kExitUsage);
  EXPECT_THAT(err, HasSubstr("'nowhere'"));
  EXPECT_EQ(RunCommand({"status", "--config", info().geoekm_ini, "--bogus"}, &out, &err), cli::kExitUsage);
  for (const char* command : {"check", "verify-history", "status", "history"}) {
    EXPECT_EQ(RunCommand({command, "--config", info().dir + "/no-such.ini"}, &out, &err), cli::kExitCouldNotRun)
        << command;
    EXPECT_THAT(err, HasSubstr("could not run"));
  }
  // A state store that cannot be opened: the file is not SQLite.
  std::ifstream in(info().geoekm_ini);
  std::stringstream text;
  text << in.rdbuf();
  std::string ini = text.str();
  const auto at = ini.find(info().state_path);
  ASSERT_NE(at, std::string::npos);
  const std::string corrupt = info().dir + "/corrupt-state.db";
  std::ofstream(corrupt) << std::string(8192, 'x');
  ini.replace(at, info().state_path.size(), corrupt);
  const std::string bad = info().dir + "/bad-state.ini";
  std::ofstream(bad) << ini;
  EXPECT_EQ(RunCommand({"check", "--config", bad}, &out, &err), cli::kExitCouldNotRun) << err;
  EXPECT_THAT(err, HasSubstr("error 5007"));
}

TEST(ExplainTest, KnownUnknownAndMalformedCodes) {
  std::string out, err;
  ASSERT_EQ(RunCommand({"explain", "3077"}, &out, &err), cli::kExitOk) << err;
  EXPECT_THAT(out, HasSubstr("error 3077 (ErrorHttpOperationForbidden, SQL Server Connector for Azure Key Vault)"));
  EXPECT_THAT(out, HasSubstr("what to do: Forbidden: grant the identity get, list, wrapKey and unwrapKey"));
  ASSERT_EQ(RunCommand({"explain", "5008", "--json"}, &out, &err), cli::kExitOk) << err;
  auto doc = testing::ParseJsonObject(out);
  EXPECT_EQ(doc->getValue<std::string>("symbol"), "geoekm_VersionNotEverywhere");
  EXPECT_EQ(doc->getValue<std::string>("origin"), "geoekm");
  EXPECT_THAT(doc->getValue<std::string>("action"), HasSubstr("geoekm sync --apply"));
  EXPECT_EQ(RunCommand({"explain", "9999"}, &out, &err), cli::kExitProblem);
  EXPECT_EQ(RunCommand({"explain", "30x"}, &out, &err), cli::kExitUsage);
  EXPECT_EQ(RunCommand({"explain"}, &out, &err), cli::kExitUsage);
  // Every code has a meaning and something to do.
  for (const codes::ErrorCodeInfo& e : codes::ErrorCodeTable()) {
    EXPECT_FALSE(e.symbol.empty()) << e.code;
    EXPECT_FALSE(codes::Action(e.code).empty()) << e.code;
  }
}

TEST(ExplainTest, ErrorCodesDocIsTheGeneratedTable) {
  std::string out, err;
  ASSERT_EQ(RunCommand({"explain", "--all"}, &out, &err), cli::kExitOk);
  std::ifstream in(GEOEKM_ERROR_CODES_DOC);
  std::stringstream doc;
  doc << in.rdbuf();
  EXPECT_EQ(doc.str(), out) << "docs/ERROR_CODES.md is stale: regenerate it with geoekm explain --all";
  EXPECT_THAT(out, HasSubstr("| 3077 | `ErrorHttpOperationForbidden` |"));
}

}  // namespace
}  // namespace geoekm
