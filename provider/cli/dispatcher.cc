#include "provider/cli/dispatcher.h"

#include <algorithm>

#include "provider/cli/cli_command.h"

namespace geoekm::cli {
namespace {

bool IsHelp(const std::string& arg) { return arg == "-h" || arg == "--help"; }

std::string Words(const CliCommand& command) {
  std::string out;
  for (const std::string& word : command.words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string UsageLine(const CliCommand& command) {
  return "geoekm " + Words(command) + (command.arguments.empty() ? "" : " " + command.arguments);
}

// The command as the overview lists it: its words and the arguments before
// the first optional one ("drill --config FILE [...]"); the full usage, which
// may span lines, is in the command's own --help.
std::string ListedUsage(const CliCommand& command) {
  const std::string::size_type optional = command.arguments.find('[');
  std::string required = command.arguments.substr(0, optional);
  while (!required.empty() && required.back() == ' ') required.pop_back();
  std::string out = Words(command) + (required.empty() ? "" : " " + required);
  if (optional != std::string::npos) out += " [...]";
  return out;
}

constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  success (config check: the configuration is valid)\n"
    "  1  the command ran and found a problem (config check: the configuration is invalid;\n"
    "     the errors are on stderr)\n"
    "  2  usage error: unknown command, missing or extra arguments\n"
    "  3  the command could not run (configuration, unreachable authority, state store)\n";

void PrintHelp(std::ostream& out) {
  out << "geoekm: multi-vault Azure Key Vault EKM provider tools\n\n"
         "Usage: geoekm COMMAND [ARGS...]\n"
         "       geoekm COMMAND --help\n"
         "       geoekm --version\n\n"
         "Commands:\n";
  std::size_t width = 0;
  for (const CliCommand& c : CliCommands()) width = std::max(width, ListedUsage(c).size());
  for (const CliCommand& c : CliCommands()) {
    const std::string usage = ListedUsage(c);
    out << "  " << usage << std::string(width - usage.size() + 2, ' ') << c.summary << "\n";
  }
  out << "\n" << kExitCodeHelp;
}

void PrintCommandHelp(const CliCommand& command, std::ostream& out) {
  out << "Usage: " << UsageLine(command) << "\n\n" << command.help << "\n" << kExitCodeHelp;
}

// The number of leading args that name `command`, 0 when they do not.
std::size_t Matches(const CliCommand& command, const std::vector<std::string>& args) {
  if (args.size() < command.words.size()) return 0;
  return std::equal(command.words.begin(), command.words.end(), args.begin()) ? command.words.size() : 0;
}

int UsageError(const std::string& problem, std::ostream& err) {
  err << "geoekm: " << problem << "\nRun 'geoekm --help' for the commands.\n";
  return kExitUsage;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return UsageError("no command given", err);
  if (IsHelp(args[0]) || args[0] == "help") {
    PrintHelp(out);
    return kExitOk;
  }
  if (args[0] == "--version") {
    if (args.size() > 1) return UsageError("--version takes no arguments", err);
    out << "geoekm " << GEOEKM_VERSION << "\n";
    return kExitOk;
  }
  const CliCommand* best = nullptr;
  std::size_t best_words = 0;
  for (const CliCommand& c : CliCommands()) {
    std::size_t n = Matches(c, args);
    if (n > best_words) {
      best = &c;
      best_words = n;
    }
  }
  if (!best) {
    // A group word alone ("geoekm config") lists that group's commands.
    std::string listing;
    for (const CliCommand& c : CliCommands()) {
      if (c.words.front() == args[0]) listing += "\n  " + UsageLine(c) + "  " + c.summary;
    }
    if (!listing.empty()) {
      bool help = args.size() > 1 && IsHelp(args[1]);
      (help ? out : err) << (help ? "" : "geoekm: '" + args[0] + "' needs a subcommand:") << listing << "\n";
      return help ? kExitOk : kExitUsage;
    }
    return UsageError("unknown command '" + args[0] + "'", err);
  }
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(best_words), args.end());
  if (std::any_of(rest.begin(), rest.end(), IsHelp)) {
    PrintCommandHelp(*best, out);
    return kExitOk;
  }
  return best->run(rest, out, err);
}

}  // namespace geoekm::cli
