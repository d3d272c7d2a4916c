// RunCli: the `geoekm` dispatcher. Finds the command named by the leading
// words of `args` in CliCommands(), handles --help at every level, reports
// usage errors (exit 2) and runs the command.
//
// Thread safety: reentrant; writes only to the given streams.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

// `args` excludes the program name.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
