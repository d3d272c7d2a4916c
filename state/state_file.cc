#include "state/state_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/error_codes.h"

namespace geoekm {
namespace {

constexpr mode_t kOwnerOnly = S_IRUSR | S_IWUSR;
constexpr mode_t kOwnerOnlyDirectory = S_IRWXU;
constexpr const char* kCompanionSuffixes[] = {"-wal", "-shm", "-journal"};

bool IsPermissionError(int err) { return err == EACCES || err == EPERM || err == EROFS; }

// "user nobody (uid 65534)": whose permissions the kernel applied.
std::string EffectiveUser() {
  const uid_t uid = geteuid();
  std::vector<char> buf(16384);
  passwd entry{};
  passwd* found = nullptr;
  const std::string id = "uid " + std::to_string(uid);
  if (getpwuid_r(uid, &entry, buf.data(), buf.size(), &found) != 0 || found == nullptr) return "user " + id;
  return "user " + std::string(found->pw_name) + " (" + id + ")";
}

Status PermissionDenied(const std::string& what) {
  return Status(codes::kStateStoreError, ErrorClass::kInvalidInput,
                "state store: permission denied: " + what + " for " + EffectiveUser() +
                    "; nothing was changed (run geoekm as the user that owns the state file, or give that user "
                    "read and write access to the file and its directory)");
}

Status FileError(const std::string& what, const std::string& path, int err) {
  if (IsPermissionError(err)) return PermissionDenied(what + " " + path + " (" + std::strerror(err) + ")");
  return Status(codes::kStateStoreError, ErrorClass::kInternal,
                "state store: " + what + " " + path + ": " + std::strerror(err));
}

std::string Octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// What opening the store needs, checked with the effective ids before
// anything is changed: SQLite itself would open a file it may not write
// read-only and then fail on the first write (or, in WAL mode, fail to read
// at all when it cannot create -shm), errors that look like corruption.
Status CheckAccess(const std::string& path, const struct stat& st) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0 && IsPermissionError(errno)) {
    return PermissionDenied("cannot create files in directory " + dir + " (SQLite keeps " + path +
                            "-wal and -shm there)");
  }
  if (faccessat(AT_FDCWD, path.c_str(), R_OK | W_OK, AT_EACCESS) != 0 && IsPermissionError(errno)) {
    return PermissionDenied(path + " (mode " + Octal(st.st_mode) + ", owner uid " + std::to_string(st.st_uid) +
                            ") is not readable and writable");
  }
  for (const char* suffix : kCompanionSuffixes) {
    const std::string companion = path + suffix;
    struct stat companion_st {};
    if (lstat(companion.c_str(), &companion_st) != 0) continue;
    if (faccessat(AT_FDCWD, companion.c_str(), R_OK | W_OK, AT_EACCESS) != 0 && IsPermissionError(errno)) {
      return PermissionDenied(companion + " (mode " + Octal(companion_st.st_mode) + ", owner uid " +
                              std::to_string(companion_st.st_uid) + ") is not readable and writable");
    }
  }
  return Status::Ok();
}

Status CheckRegularFile(const std::string& path, const struct stat& st) {
  if (S_ISLNK(st.st_mode)) {
    return Status(codes::kStateStoreError, ErrorClass::kInvalidInput,
                  "state store: " + path + " is a symbolic link; refusing to follow it");
  }
  if (!S_ISREG(st.st_mode)) {
    return Status(codes::kStateStoreError, ErrorClass::kInvalidInput,
                  "state store: " + path + " is not a regular file");
  }
  return Status::Ok();
}

// Tightens an existing path to 0600 by name. Deliberately no open(): closing
// any descriptor of a file drops every POSIX lock this process holds on it,
// including SQLite's locks of an already open connection (which would let
// another process reinitialise the -shm under us).
Status TightenByPath(const std::string& path, const struct stat& st) {
  if (Status status = CheckRegularFile(path, st); !status.ok()) return status;
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

Status CreateStateDirectories(const std::string& path) {
  std::filesystem::path prefix;
  for (const std::filesystem::path& part : std::filesystem::path(path).parent_path()) {
    prefix /= part;
    if (mkdir(prefix.c_str(), kOwnerOnlyDirectory) != 0) {
      if (errno == EEXIST) continue;  // not ours to change
      return FileError("cannot create directory", prefix.string(), errno);
    }
    // The umask can only remove bits from 0700; put back what it removed.
    const int fd = open(prefix.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return FileError("cannot open directory", prefix.string(), errno);
    const int rc = fchmod(fd, kOwnerOnlyDirectory);
    const int err = errno;
    close(fd);
    if (rc != 0) return FileError("cannot set mode 0700 on", prefix.string(), err);
  }
  return Status::Ok();
}

Status CreateOrTightenStateFile(const std::string& path) {
  std::lock_guard lock(CreationMutex());
  for (int attempt = 0; attempt < 2; ++attempt) {
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) {
      if (Status status = CheckRegularFile(path, st); !status.ok()) return status;
      if (Status status = CheckAccess(path, st); !status.ok()) return status;
      return TightenByPath(path, st);
    }
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
  for (const char* suffix : kCompanionSuffixes) {
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
