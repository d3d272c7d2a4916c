// `geoekm explain CODE [--json]` and `geoekm explain --all`: the error-code
// table of the SQL Server Connector for Azure Key Vault and geoekm's own
// codes (core/error_codes.h, the one source): what a code means, who
// defines it and what to do. `--all` prints the whole table as Markdown;
// docs/ERROR_CODES.md is that output (a test keeps them equal).
// Exit 0 for a known code, 1 for an unknown one, 2 for usage errors.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunExplainCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
