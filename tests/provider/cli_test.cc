// The geoekm executable, run as a process: exit codes, stdout/stderr, and
// that secrets never reach the output.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/config/config_spec.h"
#include "tests/config/temp_config_dir.h"
#include "tests/provider/geoekm_process.h"

namespace geoekm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

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

// The summaries start one column block after the longest listed command, so
// no line is padded beyond what that command needs.
TEST(CliTest, HelpPadsDescriptionsToTheLongestCommand) {
  ProcessRun run = RunGeoekm({"--help"});
  ASSERT_EQ(run.exit_code, 0);
  const std::string commands = run.out.substr(run.out.find("Commands:\n") + 10);
  std::istringstream lines(commands.substr(0, commands.find("\n\n")));
  std::vector<std::pair<std::string, std::size_t>> rows;  // usage, column of its summary
  for (std::string line; std::getline(lines, line);) {
    ASSERT_EQ(line.rfind("  ", 0), 0u) << line;
    const std::size_t gap = line.find("  ", 2);
    ASSERT_NE(gap, std::string::npos) << "no summary on: " << line;
    const std::size_t column = line.find_first_not_of(' ', gap);
    rows.emplace_back(line.substr(2, gap - 2), column);
    EXPECT_LE(line.size(), 100u) << line;
  }
  std::size_t longest = 0;
  for (const auto& [usage, column] : rows) longest = std::max(longest, usage.size());
  for (const auto& [usage, column] : rows) EXPECT_EQ(column, 2 + longest + 2) << usage;
  std::vector<std::string> listed;
  for (const auto& [usage, column] : rows) listed.push_back(usage);
  EXPECT_THAT(listed, ::testing::IsSupersetOf({"config check FILE", "drill --config FILE [...]",
                                               "state rebuild --config FILE"}));
  EXPECT_THAT(run.out, HasSubstr("geoekm --version"));
}

TEST(CliTest, VersionPrintsTheProjectVersion) {
  ProcessRun run = RunGeoekm({"--version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, std::string("geoekm ") + GEOEKM_PROJECT_VERSION + "\n");
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(RunGeoekm({"--version", "extra"}).exit_code, 2);
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
    EXPECT_THAT(run.out, HasSubstr("expected_rtt_ms"));
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

TEST(CliTest, ConfigCheckPrintsPinnedThumbprints) {
  TempConfigDir dir;
  const std::string pin = "tde-protector:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
  std::string path = dir.Write("vaults.json", ConfigSpec::Valid().Set("provider", "pinned_thumbprints", List({pin})).Json());
  ProcessRun run = RunGeoekm({"config", "check", path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("pinned_thumbprints"));
  EXPECT_THAT(run.out, HasSubstr(pin));
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

// A loopback port where nothing listens: bound but never listening, so a
// connection to it is refused at once for as long as the object lives.
class RefusingPort {
 public:
  RefusingPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::abort();
    }
    port_ = ntohs(addr.sin_port);
  }
  ~RefusingPort() { close(fd_); }
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_;
  int port_ = 0;
};

// Two vaults and a token endpoint that all refuse connections.
struct UnreachableVaultSet {
  RefusingPort token_endpoint;
  RefusingPort eastus;
  RefusingPort westus;

  ConfigSpec Spec(const std::string& state_path) const {
    return ConfigSpec::Valid()
        .RemoveSection("vault.japaneast")
        .Set("provider", "state_path", Str(state_path))
        .Set("auth", "managed_identity_endpoint", Str("http://" + token_endpoint.HostPort()))
        .Set("router", "max_retries", Num("0"))
        .Set("vault.eastus", "connect_to", Str(eastus.HostPort()))
        .Set("vault.westus", "connect_to", Str(westus.HostPort()));
  }
};

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 07777;
}

TEST(CliTest, StateDirectoryIsCreatedOwnerOnlyUnderUmaskZero) {
  TempConfigDir dir;
  UnreachableVaultSet unreachable;
  const std::string config = dir.Write("vaults.ini", unreachable.Spec("var/geoekm/state.db").Ini());
  const mode_t old_mask = umask(0);  // inherited by the geoekm process
  ProcessRun run = RunGeoekm({"state", "rebuild", "--config", config});
  umask(old_mask);
  EXPECT_EQ(run.exit_code, 1) << run.err;  // the vaults cannot be read; the store was opened
  EXPECT_EQ(ModeOf(dir.path() / "var"), 0700u);
  EXPECT_EQ(ModeOf(dir.path() / "var/geoekm"), 0700u);
  EXPECT_EQ(ModeOf(dir.path() / "var/geoekm/state.db"), 0600u);
}

TEST(CliTest, StateRebuildSaysWhyAVaultWasNotRead) {
  TempConfigDir dir;
  UnreachableVaultSet unreachable;
  ConfigSpec spec = unreachable.Spec("state.db");
  ProcessRun run = RunGeoekm({"state", "rebuild", "--config", dir.Write("vaults.ini", spec.Ini())});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  for (const char* vault : {"eastus", "westus"}) {
    // The reason: the Status with its error code, and what was being read.
    EXPECT_THAT(run.out, ::testing::ContainsRegex(std::string("vault not read \\(its copies keep their status\\): ") +
                                                  vault + ": error [0-9]+ \\([a-z-]+\\).*: listing the versions of key "
                                                  "tde-protector: .+"))
        << run.out;
  }
  EXPECT_THAT(run.out, HasSubstr("vault eastus could not be read (error "));
}

TEST(CliTest, MissingFileExitsOne) {
  ProcessRun run = RunGeoekm({"config", "check", "/nonexistent/vaults.ini"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("/nonexistent/vaults.ini: the configuration file does not exist"));
}

}  // namespace
}  // namespace geoekm::testing
