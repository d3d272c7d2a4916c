#include "vaultsim/key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

#include "core/error_codes.h"
#include "vaultsim/file_text.h"
#include "vaultsim/json_text.h"
#include "vaultsim/key_entry_json.h"

namespace geoekm::vaultsim {
namespace {

Status IoError(const std::string& what) {
  return Status(codes::kProviderError, ErrorClass::kInternal, what + ": " + std::strerror(errno));
}

Status LoadEntries(const Poco::JSON::Object& root, const char* member, std::map<std::string, KeyEntry>* out) {
  Poco::JSON::Array::Ptr list = root.getArray(member);
  for (std::size_t i = 0; list && i < list->size(); ++i) {
    Poco::JSON::Object::Ptr o = list->getObject(static_cast<unsigned>(i));
    if (!o) return Status(codes::kProviderError, ErrorClass::kIntegrity, "state file: entry is not an object");
    Result<KeyEntry> entry = KeyEntryFromJson(*o);
    if (!entry.ok()) return entry.status();
    (*out)[LowerName(entry->name)] = std::move(entry).value();
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& data_dir) {
  if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) return IoError("cannot create data dir " + data_dir);
  std::unique_ptr<KeyStore> store(new KeyStore(data_dir + "/vault-state.json"));
  std::optional<std::string> text = ReadFileText(store->path_);
  if (!text) return store;  // fresh vault
  try {
    Poco::JSON::Parser parser;
    Poco::JSON::Object::Ptr root = parser.parse(*text).extract<Poco::JSON::Object::Ptr>();
    Status s = LoadEntries(*root, "keys", &store->state_.keys);
    if (s.ok()) s = LoadEntries(*root, "deleted", &store->state_.deleted);
    if (!s.ok()) return s.Prefix(store->path_ + ": ");
  } catch (const Poco::Exception& e) {
    return Status(codes::kProviderError, ErrorClass::kIntegrity, store->path_ + ": unreadable state: " + e.message());
  }
  return store;
}

void KeyStore::Read(const std::function<void(const VaultState&)>& fn) const {
  std::shared_lock lock(mu_);
  fn(state_);
}

Status KeyStore::Update(const std::function<bool(VaultState&)>& fn) {
  std::unique_lock lock(mu_);
  VaultState before = state_;  // cheap: RsaKeys are shared, not copied
  if (!fn(state_)) return Status::Ok();
  Status s = Save(state_);
  if (!s.ok()) state_ = std::move(before);
  return s;
}

Status KeyStore::Save(const VaultState& state) const {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
  for (const auto& [name, entry] : state.keys) keys->add(KeyEntryToJson(entry));
  Poco::JSON::Array::Ptr deleted = new Poco::JSON::Array;
  for (const auto& [name, entry] : state.deleted) deleted->add(KeyEntryToJson(entry));
  root.set("format", 1);
  root.set("keys", keys);
  root.set("deleted", deleted);
  std::string text = ToJsonText(root);

  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write " + tmp);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = IoError("cannot write " + tmp);
      ::close(fd);
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  std::fill(text.begin(), text.end(), '\0');
  if (::fsync(fd) != 0 || ::close(fd) != 0) return IoError("cannot flush " + tmp);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return IoError("cannot rename " + tmp);
  return Status::Ok();
}

}  // namespace geoekm::vaultsim
