// The geoekm executable, run as a process: exit codes, stdout/stderr, and
// that secrets never reach the output.
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "tests/config/config_spec.h"
#include "tests/config/temp_config_dir.h"

namespace geoekm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct ProcessRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

ProcessRun RunGeoekm(const std::vector<std::string>& args) {
  Poco::Pipe out_pipe;
  Poco::Pipe err_pipe;
  Poco::ProcessHandle handle = Poco::Process::launch(GEOEKM_BINARY, args, nullptr, &out_pipe, &err_pipe);
  ProcessRun run;
  // Drain stderr on its own thread so neither pipe can fill up and block.
  std::thread err_reader([&] {
    Poco::PipeInputStream err(err_pipe);
    Poco::StreamCopier::copyToString(err, run.err);
  });
  Poco::PipeInputStream out(out_pipe);
  Poco::StreamCopier::copyToString(out, run.out);
  err_reader.join();
  run.exit_code = handle.wait();
  return run;
}

TEST(CliTest, HelpListsCommandsAndExitCodes) {
  ProcessRun run = RunGeoekm({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("config check FILE"));
  EXPECT_THAT(run.out, HasSubstr("Exit codes:"));
  EXPECT_THAT(run.out, HasSubstr("0  success"));
  EXPECT_THAT(run.out, HasSubstr("1  the command ran and found a problem"));
  EXPECT_THAT(run.out, HasSubstr("2  usage error"));
  EXPECT_THAT(run.err, IsEmpty());
}

TEST(CliTest, CommandHelp) {
  ProcessRun run = RunGeoekm({"config", "check", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("Usage: geoekm config check FILE"));
  EXPECT_THAT(run.out, HasSubstr("Exit codes:"));
}

TEST(CliTest, NoCommandIsAUsageError) {
  ProcessRun run = RunGeoekm({});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("no command given"));
}

TEST(CliTest, UnknownCommandIsAUsageError) {
  ProcessRun run = RunGeoekm({"frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown command 'frobnicate'"));
}

TEST(CliTest, GroupWithoutSubcommandIsAUsageError) {
  ProcessRun run = RunGeoekm({"config"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("'config' needs a subcommand"));
  EXPECT_THAT(run.err, HasSubstr("geoekm config check FILE"));
}

TEST(CliTest, ConfigCheckArgumentCount) {
  EXPECT_EQ(RunGeoekm({"config", "check"}).exit_code, 2);
  ProcessRun run = RunGeoekm({"config", "check", "a.ini", "b.ini"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("expected exactly one FILE argument"));
  EXPECT_EQ(RunGeoekm({"config", "check", "--verbose"}).exit_code, 2);
}

TEST(CliTest, ExamplesAreValid) {
  for (const char* name : {"vaults.ini", "vaults.json"}) {
    SCOPED_TRACE(name);
    ProcessRun run = RunGeoekm({"config", "check", std::string(GEOEKM_EXAMPLES_DIR) + "/" + name});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_THAT(run.out, HasSubstr(": valid"));
    EXPECT_THAT(run.out, HasSubstr("vaults (3, in priority order"));
    // Priority order with region, geography and url.
    std::size_t east = run.out.find("1. eastus");
    std::size_t west = run.out.find("2. westus");
    std::size_t japan = run.out.find("3. japaneast");
    EXPECT_NE(east, std::string::npos);
    EXPECT_LT(east, west);
    EXPECT_LT(west, japan);
    EXPECT_THAT(run.out, HasSubstr("https://geoekm-japaneast.vault.azure.net"));
    EXPECT_THAT(run.out, HasSubstr("managed identity (system-assigned)"));
    EXPECT_THAT(run.out, HasSubstr("hedge_delay_floor_ms"));
    EXPECT_THAT(run.err, IsEmpty());
  }
}

TEST(CliTest, ValidConfigWithInlineSecretNeverPrintsIt) {
  TempConfigDir dir;
  std::string path = dir.Write("vaults.ini", ConfigSpec::Valid()
                                                 .Remove("auth", "managed_identity")
                                                 .Set("auth", "credential", Str("0123456789abcdef0123456789abcdefP4ssw0rdXYZ"))
                                                 .Set("vault.westus", "connect_to", Str("127.0.0.1:8443"))
                                                 .Set("provider", "key_names", List({std::string(30, 'k')}))
                                                 .Set("auth", "additionally_allowed_tenants",
                                                      List({"fabrikam.onmicrosoft.com"}))
                                                 .Ini());
  ProcessRun run = RunGeoekm({"config", "check", path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("fabrikam.onmicrosoft.com"));
  EXPECT_THAT(run.out, Not(HasSubstr("P4ssw0rdXYZ")));
  EXPECT_THAT(run.out, HasSubstr("client secret (inline in the configuration file, not shown)"));
  EXPECT_THAT(run.out, HasSubstr("0123456789abcdef0123456789abcdef"));  // the client id is not secret
  EXPECT_THAT(run.out, HasSubstr("127.0.0.1:8443"));
  EXPECT_THAT(run.out, HasSubstr("warnings (1)"));
  EXPECT_THAT(run.out, HasSubstr("limits key names to 26 characters"));
}

TEST(CliTest, InvalidConfigExitsOneWithErrorsOnStderr) {
  TempConfigDir dir;
  std::string path = dir.Write("vaults.json", ConfigSpec::Valid()
                                                  .Set("vault.eastus", "url", Str("http://x.example"))
                                                  .Set("vault.westus", "priority", Num("10"))
                                                  .Json());
  ProcessRun run = RunGeoekm({"config", "check", path});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, HasSubstr("error 5001"));
  EXPECT_THAT(run.err, HasSubstr("2 errors"));
  EXPECT_THAT(run.err, HasSubstr("vaults[0].url: 'http://x.example': scheme 'http' is not allowed"));
  EXPECT_THAT(run.err, HasSubstr("priority 10 is used twice"));
}

TEST(CliTest, ShortCredentialExitsOneWithCode2050AndNoSecret) {
  TempConfigDir dir;
  std::string path = dir.Write(
      "vaults.ini",
      ConfigSpec::Valid().Remove("auth", "managed_identity").Set("auth", "credential", Str("shortS3cret")).Ini());
  ProcessRun run = RunGeoekm({"config", "check", path});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("error 2050"));
  EXPECT_THAT(run.err, Not(HasSubstr("shortS3cret")));
}

TEST(CliTest, MissingFileExitsOne) {
  ProcessRun run = RunGeoekm({"config", "check", "/nonexistent/vaults.ini"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("/nonexistent/vaults.ini: the configuration file does not exist"));
}

}  // namespace
}  // namespace geoekm::testing
