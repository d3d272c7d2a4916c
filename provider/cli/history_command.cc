#include "provider/cli/history_command.h"

#include "provider/cli/cli_command.h"
#include "provider/cli/json_output.h"
#include "provider/cli/text_table.h"
#include "provider/cli/vault_set_command.h"
#include "state/missing_versions_message.h"

namespace geoekm::cli {
namespace {

std::string TimeOr(const std::optional<std::int64_t>& ms, const char* otherwise) {
  return ms ? FormatUtcTimestamp(*ms) : otherwise;
}

std::string Enabled(const std::optional<bool>& e) { return e ? (*e ? "yes" : "NO") : "?"; }

}  // namespace

int RunHistoryCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  VaultSetCommand cmd;
  if (auto stop = OpenVaultSetCommand("history", args, {}, {}, err, cmd)) return *stop;
  StateStore& store = cmd.runtime->store();
  Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
  for (const std::string& key : cmd.config.provider.key_names) {
    auto history = store.KeyHistory(key);
    if (!history.ok()) {
      err << "geoekm history: could not run: " << history.status().ToString() << "\n";
      return kExitCouldNotRun;
    }
    if (!cmd.json) {
      out << "geoekm history: key '" << key << "', " << history->size() << " version"
          << (history->size() == 1 ? "" : "s") << " (oldest first)\n";
    }
    Poco::JSON::Array::Ptr versions = new Poco::JSON::Array;
    int n = 0;
    for (const KeyVersionRecord& v : *history) {
      auto copies = store.CopiesOfVersion(v.thumbprint);
      if (!copies.ok()) {
        err << "geoekm history: could not run: " << copies.status().ToString() << "\n";
        return kExitCouldNotRun;
      }
      if (cmd.json) {
        Poco::JSON::Object::Ptr j = JsonObject();
        j->set("thumbprint", v.thumbprint);
        j->set("kty", v.kty);
        j->set("key_size", v.size_bits);
        SetOptional(*j, "created", v.created);
        j->set("first_seen_ms", v.first_seen_ms);
        SetOptional(*j, "first_wrap_ms", v.first_wrap_ms);
        SetOptional(*j, "last_wrap_ms", v.last_wrap_ms);
        Poco::JSON::Array::Ptr where = new Poco::JSON::Array;
        for (const VaultKeyCopyRecord& c : *copies) {
          Poco::JSON::Object::Ptr cj = JsonObject();
          cj->set("vault", c.vault);
          cj->set("version", c.version_id);
          cj->set("kid", c.kid);
          SetOptional(*cj, "enabled", c.enabled);
          cj->set("status", std::string(CopyStatusName(c.status)));
          SetOptional(*cj, "last_verified_ms", c.last_verified_ms);
          where->add(cj);
        }
        j->set("copies", where);
        versions->add(j);
        continue;
      }
      out << "\n" << ++n << ". " << v.thumbprint << "  " << v.kty << " " << v.size_bits << "\n"
          << "   created " << (v.created ? FormatUtcTimestamp(*v.created * 1000) : "unknown") << ", first wrap "
          << TimeOr(v.first_wrap_ms, "unknown") << ", last wrap " << TimeOr(v.last_wrap_ms, "unknown") << "\n";
      TextTable table({"vault", "version", "enabled", "copy", "verified"});
      for (const VaultKeyCopyRecord& c : *copies) {
        table.AddRow({c.vault, c.version_id.empty() ? "-" : c.version_id, Enabled(c.enabled),
                      std::string(CopyStatusName(c.status)), TimeOr(c.last_verified_ms, "never")});
      }
      table.Print(out, "   ");
    }
    if (cmd.json) {
      Poco::JSON::Object::Ptr k = JsonObject();
      k->set("key", key);
      k->set("versions", versions);
      keys->add(k);
    }
  }
  if (cmd.json) {
    Poco::JSON::Object::Ptr doc = JsonObject();
    doc->set("command", "history");
    doc->set("keys", keys);
    PrintJson(doc, out);
  }
  return kExitOk;
}

}  // namespace geoekm::cli
