// CliCommand: one `geoekm` subcommand as the dispatcher sees it. A command
// is a function of its arguments and two streams that returns an exit code,
// so it can be tested without a process.
//
// Adding a command: write <name>_command.{h,cc} with a Run function, add a
// row to command_table.cc. The dispatcher does not change.
//
// Thread safety: commands are plain functions; the table is immutable.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

// The exit codes of every geoekm command (documented in --help and in
// README.md, "Configuration reference").
inline constexpr int kExitOk = 0;         // success / valid
inline constexpr int kExitProblem = 1;    // the command ran and found a problem (e.g. invalid config)
inline constexpr int kExitUsage = 2;      // unknown command, wrong arguments
inline constexpr int kExitCouldNotRun = 3;  // configuration, authority or state store kept it from running

struct CliCommand {
  std::vector<std::string> words;  // {"config", "check"}
  std::string arguments;           // "FILE", for usage lines
  std::string summary;             // one line for `geoekm --help`
  std::string help;                // the command's own --help text (after the usage line)
  // Called with the arguments after the command words (no --help among them).
  int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
};

// Every command, in the order `geoekm --help` lists them.
const std::vector<CliCommand>& CliCommands();

}  // namespace geoekm::cli
