#include "config/referenced_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace geoekm {

std::string ResolveConfigPath(const std::string& config_file, const std::string& value) {
  std::filesystem::path path(value);
  if (path.is_absolute()) return value;
  std::filesystem::path base = std::filesystem::path(config_file).parent_path();
  if (base.empty()) base = ".";
  return (base / path).lexically_normal().string();
}

std::optional<std::string> CheckReadableFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? std::string("does not exist") : std::string("cannot be examined: ") + std::strerror(errno);
  }
  if (!S_ISREG(st.st_mode)) return std::string("is not a regular file");
  if (::access(path.c_str(), R_OK) != 0) return std::string("is not readable by this user");
  return std::nullopt;
}

std::optional<std::string> CheckOwnerOnlyMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::string("cannot be examined: ") + std::strerror(errno);
  unsigned mode = st.st_mode & 0777;
  if ((mode & 077) == 0) return std::nullopt;
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode);
  return std::string("holds a secret but is accessible by group or others (mode ") + octal +
         "); run chmod 600 on it";
}

std::optional<std::string> CheckPrivateFile(const std::string& path) {
  if (auto problem = CheckReadableFile(path)) return problem;
  return CheckOwnerOnlyMode(path);
}

}  // namespace geoekm
