#include "replication/rotation_journal.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error_codes.h"
#include "core/json_fields.h"

namespace geoekm {
namespace {

Status JournalError(const std::string& path, const std::string& what) {
  return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "rotation journal '" + path + "' " + what);
}

}  // namespace

std::string RotationJournalPath(const std::string& escrow_path) { return escrow_path + ".journal.json"; }

Result<RotationJournal> ReadRotationJournal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return JournalError(path, "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  JsonFields root(ParseJsonObject(text.str()));
  if (!root.present()) return JournalError(path, "is not a JSON object");
  RotationJournal j;
  j.key_name = root.String("key_name").value_or("");
  j.thumbprint = root.String("thumbprint").value_or("");
  j.key_size = static_cast<int>(root.Integer("key_size").value_or(0));
  j.started_unix_s = root.Integer("started_unix_s").value_or(0);
  j.completed_unix_s = root.Integer("completed_unix_s");
  j.order = root.Strings("order").value_or(std::vector<std::string>{});
  JsonFields vaults = root.Object("vaults");
  for (const std::string& name : j.order) {
    JsonFields v = vaults.Object(name);
    RotationJournalVault entry;
    entry.version = v.String("version").value_or("");
    entry.verified_unix_s = v.Integer("verified_unix_s");
    j.vaults[name] = entry;
  }
  if (!root.problem().empty() || j.key_name.empty() || j.thumbprint.empty()) {
    return JournalError(path, "is incomplete or damaged" + (root.problem().empty() ? "" : ": " + root.problem()));
  }
  return j;
}

Status WriteRotationJournal(const std::string& path, const RotationJournal& journal) {
  Poco::JSON::Object root;
  root.set("key_name", journal.key_name);
  root.set("thumbprint", journal.thumbprint);
  root.set("key_size", journal.key_size);
  root.set("started_unix_s", journal.started_unix_s);
  if (journal.completed_unix_s) root.set("completed_unix_s", *journal.completed_unix_s);
  Poco::JSON::Array order;
  Poco::JSON::Object vaults;
  for (const std::string& name : journal.order) {
    order.add(name);
    Poco::JSON::Object v;
    auto it = journal.vaults.find(name);
    if (it != journal.vaults.end()) {
      if (!it->second.version.empty()) v.set("version", it->second.version);
      if (it->second.verified_unix_s) v.set("verified_unix_s", *it->second.verified_unix_s);
    }
    vaults.set(name, v);
  }
  root.set("order", order);
  root.set("vaults", vaults);
  std::ostringstream text;
  root.stringify(text, 2);
  text << "\n";
  const std::string body = text.str();

  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return JournalError(path, std::string("cannot be written: ") + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  ok = ok && std::rename(temp.c_str(), path.c_str()) == 0;
  if (!ok) {
    ::unlink(temp.c_str());
    return JournalError(path, "could not be written completely");
  }
  return Status::Ok();
}

}  // namespace geoekm
