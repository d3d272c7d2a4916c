#include "replication/escrow_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/referenced_file.h"
#include "core/error_codes.h"
#include "keyvault/identity/client_secret_source.h"

namespace geoekm {
namespace {

// An escrow is a few KiB; anything far larger is not one.
constexpr std::size_t kMaxEscrowBytes = 1 << 20;

Status FileError(const std::string& what) { return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, what); }

Result<SecureBytes> ReadWholeFile(const std::string& path) {
  if (auto problem = CheckReadableFile(path)) return FileError("escrow file '" + path + "' " + *problem);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError("escrow file '" + path + "' cannot be opened: " + std::strerror(errno));
  SecureBytes content;
  content.reserve(8192);
  std::uint8_t buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.insert(content.end(), buf, buf + n);
    if (content.size() > kMaxEscrowBytes) break;
  }
  OPENSSL_cleanse(buf, sizeof buf);
  ::close(fd);
  if (content.size() > kMaxEscrowBytes) return FileError("escrow file '" + path + "' is larger than 1 MiB");
  if (content.empty()) return FileError("escrow file '" + path + "' is empty");
  return content;
}

Status SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FileError("cannot open the directory of '" + path + "' to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : FileError("cannot sync the directory of '" + path + "'");
}

}  // namespace

Result<SecureString> ReadPassphraseFile(const std::string& path) {
  if (auto problem = CheckPrivateFile(path)) return FileError("passphrase file '" + path + "' " + *problem);
  Result<SecureString> pass = ReadSecretFile(path, "passphrase");
  if (!pass.ok()) return FileError("passphrase file '" + path + "' cannot be read");
  if (pass->empty()) return FileError("passphrase file '" + path + "' is empty");
  return pass;
}

Result<std::unique_ptr<LocalRsaKey>> ReadEscrowFile(const std::string& path, const SecureString& passphrase) {
  Result<SecureBytes> content = ReadWholeFile(path);
  if (!content.ok()) return content.status();
  static constexpr char kPemStart[] = "-----BEGIN";
  const std::string_view text(reinterpret_cast<const char*>(content->data()), content->size());
  Result<std::unique_ptr<LocalRsaKey>> key =
      text.find(kPemStart) != std::string_view::npos
          ? LocalRsaKey::FromPem(SecureString(text.begin(), text.end()), passphrase)
          : LocalRsaKey::FromPkcs12(*content, passphrase);
  if (!key.ok()) {
    Status s = key.status();
    s.Prefix("escrow file '" + path + "': ");
    return s;
  }
  return key;
}

Status WriteEscrowFile(const std::string& path, const LocalRsaKey& key, const SecureString& passphrase) {
  Result<SecureString> pem = key.ToEncryptedPkcs8Pem(passphrase);
  if (!pem.ok()) return pem.status();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return FileError("escrow file '" + path + "' cannot be created: " +
                     (errno == EEXIST ? std::string("it exists (an escrow is never overwritten; choose a new name)")
                                      : std::string(std::strerror(errno))));
  }
  // 0600 whatever the umask (open's mode is filtered by it; fchmod is not).
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t written = 0;
  while (ok && written < pem->size()) {
    const ssize_t n = ::write(fd, pem->data() + written, pem->size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return FileError("escrow file '" + path + "' could not be written completely");
  }
  return SyncDirectoryOf(path);
}

}  // namespace geoekm
