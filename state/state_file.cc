#include "state/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error_codes.h"

namespace geoekm {
namespace {

constexpr mode_t kOwnerOnly = S_IRUSR | S_IWUSR;

Status FileError(const std::string& what, const std::string& path, int err) {
  return Status(codes::kStateStoreError, ErrorClass::kInternal,
                "state store: " + what + " " + path + ": " + std::strerror(err));
}

// Tightens an open descriptor to 0600 unless it already is.
Status Tighten(int fd, const std::string& path) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return FileError("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status(codes::kStateStoreError, ErrorClass::kInvalidInput,
                  "state store: " + path + " is not a regular file");
  }
  if ((st.st_mode & 0777) != kOwnerOnly && fchmod(fd, kOwnerOnly) != 0) {
    return FileError("cannot set mode 0600 on", path, errno);
  }
  return Status::Ok();
}

}  // namespace

Status CreateOrTightenStateFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kOwnerOnly);
  if (fd < 0 && errno == EEXIST) {
    fd = open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) {
    if (errno == ELOOP) {
      return Status(codes::kStateStoreError, ErrorClass::kInvalidInput,
                    "state store: " + path + " is a symbolic link; refusing to follow it");
    }
    return FileError("cannot create", path, errno);
  }
  // O_CREAT's mode is filtered by the umask, which can only remove bits, so
  // a fresh file is at most 0600; an existing one may be wider.
  Status status = Tighten(fd, path);
  close(fd);
  return status;
}

Status TightenStateCompanions(const std::string& path) {
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const std::string companion = path + suffix;
    const int fd = open(companion.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return FileError("cannot open", companion, errno);
    }
    Status status = Tighten(fd, companion);
    close(fd);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace geoekm
