#include "state/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/error_codes.h"

namespace geoekm {
namespace {

constexpr mode_t kOwnerOnly = S_IRUSR | S_IWUSR;

Status FileError(const std::string& what, const std::string& path, int err) {
  return Status(codes::kStateStoreError, ErrorClass::kInternal,
                "state store: " + what + " " + path + ": " + std::strerror(err));
}

// Tightens an existing path to 0600 by name. Deliberately no open(): closing
// any descriptor of a file drops every POSIX lock this process holds on it,
// including SQLite's locks of an already open connection (which would let
// another process reinitialise the -shm under us).
Status TightenByPath(const std::string& path, const struct stat& st) {
  if (S_ISLNK(st.st_mode)) {
    return Status(codes::kStateStoreError, ErrorClass::kInvalidInput,
                  "state store: " + path + " is a symbolic link; refusing to follow it");
  }
  if (!S_ISREG(st.st_mode)) {
    return Status(codes::kStateStoreError, ErrorClass::kInvalidInput,
                  "state store: " + path + " is not a regular file");
  }
  if ((st.st_mode & 0777) != kOwnerOnly && chmod(path.c_str(), kOwnerOnly) != 0) {
    return FileError("cannot set mode 0600 on", path, errno);
  }
  return Status::Ok();
}

// Serialises creation within the process: a descriptor we create and close
// must not overlap another thread's SQLite connection to the same new file.
std::mutex& CreationMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

Status CreateOrTightenStateFile(const std::string& path) {
  std::lock_guard lock(CreationMutex());
  for (int attempt = 0; attempt < 2; ++attempt) {
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) return TightenByPath(path, st);
    if (errno != ENOENT) return FileError("cannot stat", path, errno);
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kOwnerOnly);
    if (fd < 0) {
      if (errno == EEXIST) continue;  // another process created it just now
      return FileError("cannot create", path, errno);
    }
    // The umask can only remove bits from 0600; put back what it removed.
    Status status = Status::Ok();
    if (fstat(fd, &st) != 0) {
      status = FileError("cannot stat", path, errno);
    } else if ((st.st_mode & 0777) != kOwnerOnly && fchmod(fd, kOwnerOnly) != 0) {
      status = FileError("cannot set mode 0600 on", path, errno);
    }
    close(fd);  // a brand-new file: no SQLite connection of ours holds locks on it yet
    return status;
  }
  return FileError("cannot create", path, EEXIST);
}

Status TightenStateCompanions(const std::string& path) {
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const std::string companion = path + suffix;
    struct stat st {};
    if (lstat(companion.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      return FileError("cannot stat", companion, errno);
    }
    Status status = TightenByPath(companion, st);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace geoekm
