// Long replication commands show progress on a terminal and not when piped:
// the built geoekm runs once with stderr on a pseudo-terminal and once with
// plain pipes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "provider/cli/cli_command.h"
#include "tests/provider/geoekm_process.h"
#include "tests/replication/replication_fixture.h"
#include "tests/replication/write_side_support.h"

namespace geoekm {
namespace {

using ::testing::HasSubstr;

struct TerminalRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr, as the terminal showed them
};

// Runs geoekm with stdin/stdout/stderr on a new pseudo-terminal.
TerminalRun RunOnTerminal(const std::vector<std::string>& args) {
  TerminalRun run;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return run;
  if (pid == 0) {
    std::vector<char*> argv;
    std::string binary = GEOEKM_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child closed the terminal
    run.output.append(buf, static_cast<std::size_t>(n));
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class ProgressTest : public testing::ReplicationTestbed {};

TEST_F(ProgressTest, ShownOnATerminalNotWhenPiped) {
  const std::vector<std::string> args = {"check", "--config", info().geoekm_ini};
  TerminalRun tty = RunOnTerminal(args);
  EXPECT_EQ(tty.exit_code, cli::kExitOk) << tty.output;
  EXPECT_THAT(tty.output, HasSubstr("geoekm check: japaneast: "));
  EXPECT_THAT(tty.output, HasSubstr("\x1b[K"));
  EXPECT_THAT(tty.output, HasSubstr("SAFE to link"));

  testing::ProcessRun piped = testing::RunGeoekm(args);
  EXPECT_EQ(piped.exit_code, cli::kExitOk) << piped.err;
  EXPECT_EQ(piped.err, "");
  EXPECT_THAT(piped.out, ::testing::Not(HasSubstr("\r")));
  EXPECT_THAT(piped.out, HasSubstr("SAFE to link"));
}


// sync and rotate show each vault as they reach it, on a terminal only.
TEST_F(ProgressTest, SyncAndRotateShowEachVaultOnATerminal) {
  TerminalRun sync = RunOnTerminal({"sync", "--config", info().geoekm_ini});
  EXPECT_EQ(sync.exit_code, cli::kExitOk) << sync.output;
  EXPECT_THAT(sync.output, HasSubstr("sync: japaneast: "));
  EXPECT_THAT(sync.output, HasSubstr("\x1b[K"));

  const std::string passphrase = testing::WritePassphraseFile(info(), "progress-passphrase", "a long escrow passphrase");
  const std::vector<std::string> rotate = {"rotate", "--config", info().geoekm_ini, "--apply", "--escrow-out",
                                           info().dir + "/progress-escrow.p8", "--passphrase-file", passphrase};
  TerminalRun tty = RunOnTerminal(rotate);
  EXPECT_EQ(tty.exit_code, cli::kExitOk) << tty.output;
  for (const char* v : {"eastus", "westus", "japaneast"})
    EXPECT_THAT(tty.output, HasSubstr(std::string("rotate: ") + v + ": imported")) << v;
  EXPECT_THAT(tty.output, HasSubstr("\x1b[K"));

  // Piped, the same rotation (again, with a new escrow) shows no progress line.
  testing::ProcessRun piped = testing::RunGeoekm({"rotate", "--config", info().geoekm_ini, "--apply", "--escrow-out",
                                                  info().dir + "/progress-escrow-2.p8", "--passphrase-file",
                                                  passphrase});
  EXPECT_EQ(piped.exit_code, cli::kExitOk) << piped.err;
  EXPECT_THAT(piped.err, ::testing::Not(HasSubstr("rotate: eastus: ")));
  EXPECT_THAT(piped.out + piped.err, ::testing::Not(HasSubstr("\r")));
}

}  // namespace
}  // namespace geoekm
