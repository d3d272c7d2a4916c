// `geoekm rotate --config FILE --escrow-out FILE --passphrase-file FILE
// [--apply] [--resume] [--key NAME] [--json]`: a new key version in every
// vault (replication/key_rotation.h), escrowed before any vault is touched,
// and the T-SQL the DBA runs next. Without --apply it prints what it would
// do. --resume finishes an interrupted rotation from its escrow and journal.
// Exit 0 done (or a dry run that would go ahead), 1 refused or partial (the
// report says which vaults and how to resume), 2 usage, 3 could not run.
//
// Thread safety: reentrant.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

int RunRotateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace geoekm::cli
