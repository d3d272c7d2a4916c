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

// Creates the missing directories above `path` with mode 0700, whatever the
// umask. Existing directories are left as they are.
Status CreateStateDirectories(const std::string& path);

// Creates `path` with mode 0600 if it does not exist (O_CREAT|O_EXCL,
// O_NOFOLLOW). An existing regular file with other permissions is tightened
// to 0600 by name (chmod): these functions never open and close a descriptor
// of a file SQLite may hold open in this process, because closing it would
// drop SQLite's POSIX locks. Symlinks and non-regular files are refused.
// An existing file (or -wal/-shm/-journal companion) this process's user may
// not read and write, or a directory it may not create the companions in, is
// refused as "permission denied" naming the path and the user, and nothing is
// changed: the kernel's own checks are made first with access(2) on the
// effective ids, so such a file is never mistaken for a corrupt one.
Status CreateOrTightenStateFile(const std::string& path);

// Tightens `path`-wal, `path`-shm and `path`-journal to 0600 where they exist.
Status TightenStateCompanions(const std::string& path);

}  // namespace geoekm
