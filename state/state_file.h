// The state file on disk: created by us with mode 0600 before SQLite opens
// it (SQLite would create it honouring the umask, typically 0644), and its
// companions (-wal, -shm, -journal) kept owner-only too (docs/ARCHITECTURE.md, invariant 5:
// the file holds key history and audit that others must not read).
//
// Thread safety: functions on the file system; callers serialise per path.
#pragma once

#include <string>

#include "core/status.h"

namespace geoekm {

// Creates `path` with mode 0600 if it does not exist (O_CREAT|O_EXCL,
// O_NOFOLLOW). An existing regular file with other permissions is tightened
// to 0600 by name (chmod): these functions never open and close a descriptor
// of a file SQLite may hold open in this process, because closing it would
// drop SQLite's POSIX locks. Symlinks and non-regular files are refused.
Status CreateOrTightenStateFile(const std::string& path);

// Tightens `path`-wal, `path`-shm and `path`-journal to 0600 where they exist.
Status TightenStateCompanions(const std::string& path);

}  // namespace geoekm
