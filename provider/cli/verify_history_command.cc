#include "provider/cli/verify_history_command.h"

#include "provider/cli/cli_command.h"
#include "provider/cli/json_output.h"
#include "provider/cli/per_key_reports.h"
#include "provider/cli/replication_options.h"
#include "provider/cli/replication_output.h"
#include "provider/cli/terminal_progress.h"
#include "provider/cli/text_table.h"
#include "provider/cli/time_argument.h"
#include "provider/cli/vault_set_command.h"
#include "replication/copy_rules.h"
#include "replication/history_verification.h"
#include "state/missing_versions_message.h"

namespace geoekm::cli {
namespace {

std::string TimeOr(const std::optional<std::int64_t>& ms, const char* otherwise) {
  return ms ? FormatUtcTimestamp(*ms) : otherwise;
}

std::string CheckCell(const VaultVersionCheck& c, const VaultHoldings& v, const std::vector<ReplicationFinding>& findings,
                      const std::string& thumbprint) {
  if (!v.readable()) return "UNREADABLE";
  if (v.deleted) return "DELETED";
  if (!c.held) return "MISSING";
  for (const ReplicationFinding& f : findings) {
    if (f.vault == v.vault.name && f.thumbprint == thumbprint) {
      std::string kind(FindingKindName(f.kind));
      for (char& ch : kind) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return kind;
    }
  }
  if (!c.canary_ok) return "UNWRAP FAILED";
  return "ok";
}

void PrintHuman(const HistoryVerificationReport& r, std::ostream& out) {
  const KeyInventory& inv = r.inventory;
  out << "geoekm verify-history: key '" << inv.key_name << "', window " << TimeOr(r.window.from_ms, "the beginning")
      << " .. " << TimeOr(r.window.to_ms, "now") << ", vaults";
  for (const VaultHoldings& v : inv.vaults) out << " " << v.vault.name;
  out << "\n\nkey versions in use in the window (oldest first; cell: can a backup be restored through the vault)\n";
  std::vector<std::string> headers = {"thumbprint", "created", "first wrap", "last wrap"};
  for (const VaultHoldings& v : inv.vaults) headers.push_back(v.vault.name);
  TextTable table(headers);
  for (const VersionVerification& vv : r.versions) {
    const KeyVersionRecord& k = vv.history.version;
    std::vector<std::string> row = {ShortThumbprint(k.thumbprint), k.created ? UtcSeconds(*k.created) : "unknown",
                                    TimeOr(k.first_wrap_ms, "unknown"), TimeOr(k.last_wrap_ms, "unknown")};
    for (std::size_t i = 0; i < vv.vaults.size(); ++i) {
      row.push_back(CheckCell(vv.vaults[i], inv.vaults[i], r.findings, k.thumbprint));
    }
    table.AddRow(row);
  }
  if (table.empty()) {
    out << "  (no key version of the history was in use in the window)\n";
  } else {
    table.Print(out);
  }
  out << "\n";
  if (r.ok()) {
    out << "result: every historic backup in the window can be restored through every vault (" << r.versions.size()
        << " version" << (r.versions.size() == 1 ? "" : "s") << ")\n";
    return;
  }
  out << "result: NOT every historic backup can be restored\n";
  for (const auto& [vault, message] : r.target_server_messages) {
    out << "  " << message << "\n";
    for (const VersionVerification& vv : r.versions) {
      for (const VaultVersionCheck& c : vv.vaults) {
        if (c.vault != vault) continue;
        bool flagged = !c.held || !c.canary_ok;
        for (const ReplicationFinding& f : r.findings) {
          flagged = flagged || (f.vault == vault && f.thumbprint == vv.history.version.thumbprint);
        }
        if (!flagged) continue;
        out << "    - " << vv.history.version.thumbprint << " kid "
            << (c.kid.empty() ? (vv.known_kid.empty() ? "(held nowhere)" : vv.known_kid + " (elsewhere)") : c.kid)
            << "\n";
      }
    }
  }
  PrintFindingsInFixOrder(r.findings, r.fix_order, out);
}

Poco::JSON::Object::Ptr ReportJson(const HistoryVerificationReport& r) {
  Poco::JSON::Object::Ptr doc = JsonObject();
  doc->set("command", "verify-history");
  doc->set("ok", r.ok());
  SetOptional(*doc, "from_ms", r.window.from_ms);
  SetOptional(*doc, "to_ms", r.window.to_ms);
  doc->set("inventory", InventoryJson(r.inventory));
  Poco::JSON::Array::Ptr versions = new Poco::JSON::Array;
  for (const VersionVerification& vv : r.versions) {
    Poco::JSON::Object::Ptr j = JsonObject();
    j->set("thumbprint", vv.history.version.thumbprint);
    SetOptional(*j, "created", vv.history.version.created);
    SetOptional(*j, "first_wrap_ms", vv.use_from_ms);
    SetOptional(*j, "last_wrap_ms", vv.use_to_ms);
    j->set("known_kid", vv.known_kid);
    Poco::JSON::Array::Ptr vaults = new Poco::JSON::Array;
    for (const VaultVersionCheck& c : vv.vaults) {
      Poco::JSON::Object::Ptr cj = JsonObject();
      cj->set("vault", c.vault);
      cj->set("held", c.held);
      cj->set("version", c.version);
      cj->set("kid", c.kid);
      cj->set("canary_ok", c.canary_ok);
      if (c.held && !c.canary_ok) cj->set("canary_status", StatusJson(c.canary_status));
      vaults->add(cj);
    }
    j->set("vaults", vaults);
    versions->add(j);
  }
  doc->set("versions", versions);
  Poco::JSON::Object::Ptr messages = JsonObject();
  for (const auto& [vault, message] : r.target_server_messages) messages->set(vault, message);
  doc->set("target_server_messages", messages);
  doc->set("findings", FindingsJson(r.findings));
  doc->set("fix_order", JsonStrings(r.fix_order));
  return doc;
}

}  // namespace

int RunVerifyHistoryCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  VaultSetCommand cmd;
  if (auto stop = OpenVaultSetCommand("verify-history", args, {"from", "to", "vaults", "key"}, {}, err, cmd)) {
    return *stop;
  }
  std::vector<std::string> key_names;
  if (auto stop = SelectKeyNames(cmd, "verify-history", err, &key_names)) return *stop;
  HistoryVerificationOptions options;
  for (const char* name : {"from", "to"}) {
    auto text = cmd.options.Get(name);
    if (!text) continue;
    auto ms = ParseTimeArgument(*text);
    if (!ms.ok()) {
      err << "geoekm verify-history: --" << name << ": " << ms.status().message() << "\n";
      return kExitUsage;
    }
    (std::string(name) == "from" ? options.from_ms : options.to_ms) = *ms;
  }
  if (options.from_ms && options.to_ms && *options.from_ms > *options.to_ms) {
    err << "geoekm verify-history: --from is after --to\n";
    return kExitUsage;
  }
  if (auto vaults = cmd.options.Get("vaults")) options.vaults = SplitList(*vaults);
  TerminalProgress progress(err);
  options.progress = [&](const std::string& vault, std::string_view what) {
    progress.Update("geoekm verify-history: " + vault + ": " + std::string(what));
  };
  PerKeyReport<HistoryVerificationReport> how;
  how.run = [&](const std::string& key_name) {
    auto report = VerifyHistory(*cmd.runtime, key_name, options);
    progress.Finish();
    return report;
  };
  how.ok = [](const HistoryVerificationReport& r) { return r.ok(); };
  how.print_human = [](const HistoryVerificationReport& r, std::ostream& o) { PrintHuman(r, o); };
  how.to_json = [](const HistoryVerificationReport& r) { return ReportJson(r); };
  return RunPerKeyReports("verify-history", key_names, cmd.json, how, out, err);
}

}  // namespace geoekm::cli
