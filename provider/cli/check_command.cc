#include "provider/cli/check_command.h"

#include <map>

#include "provider/cli/cli_command.h"
#include "provider/cli/json_output.h"
#include "provider/cli/per_key_reports.h"
#include "provider/cli/replication_options.h"
#include "provider/cli/replication_output.h"
#include "provider/cli/terminal_progress.h"
#include "provider/cli/text_table.h"
#include "provider/cli/vault_set_command.h"
#include "replication/geo_link_check.h"

namespace geoekm::cli {
namespace {

std::string Cell(const PermissionProbe* p) {
  if (!p || !p->probed) return "-";
  if (p->status.ok()) return "ok";
  return p->status.error_class() == ErrorClass::kForbidden && p->status.forbidden_reason() == ForbiddenReason::kPermission
             ? "MISSING"
             : "error " + std::to_string(p->status.code());
}

void PrintHuman(const GeoLinkReport& r, int expiry_days, std::ostream& out) {
  const KeyInventory& inv = r.inventory;
  out << "geoekm check: key '" << inv.key_name << "', vaults";
  for (const VaultHoldings& v : inv.vaults) out << " " << v.vault.name;
  out << ", expiry window " << expiry_days << " days\n";
  out << "current version: "
      << (r.current_thumbprint.empty() ? "unknown (no vault's newest version could be read)"
                                       : r.current_thumbprint + " (newest in " + r.current_from + ")")
      << "\n\nversions by thumbprint (cell: the vault's version id and state)\n";
  std::vector<std::string> headers = {"thumbprint", "role"};
  for (const VaultHoldings& v : inv.vaults) headers.push_back(v.vault.name);
  TextTable versions(headers);
  for (const std::string& t : inv.AllThumbprints()) {
    std::vector<std::string> row = {ShortThumbprint(t),
                                    t == r.current_thumbprint ? "current" : inv.History(t) ? "history" : "NOT IN HISTORY"};
    for (const VaultHoldings& v : inv.vaults) {
      if (!v.readable()) {
        row.push_back("UNREADABLE");
      } else if (v.deleted) {
        row.push_back("DELETED");
      } else {
        auto copies = v.CopiesOf(t);
        row.push_back(copies.empty() ? "MISSING" : CopyCell(*copies.back(), inv.taken_unix_s));
      }
    }
    versions.AddRow(row);
  }
  versions.Print(out);

  out << "\npermissions of the configured identity\n";
  TextTable perms({"vault", "get", "list", "wrapKey", "unwrapKey"});
  for (const VaultHoldings& v : inv.vaults) {
    std::map<std::string, const PermissionProbe*> by_name;
    for (const PermissionProbe& p : r.permissions) {
      if (p.vault == v.vault.name) by_name[p.permission] = &p;
    }
    perms.AddRow({v.vault.name, Cell(by_name["get"]), Cell(by_name["list"]), Cell(by_name["wrapKey"]),
                  Cell(by_name["unwrapKey"])});
  }
  perms.Print(out);

  out << "\ncross-unwrap matrix (row: canary wrapped in, column: unwrapped in)\n";
  std::vector<std::string> mh = {"wrapped in"};
  for (const VaultHoldings& v : inv.vaults) mh.push_back(v.vault.name);
  TextTable matrix(mh);
  for (const VaultHoldings& a : inv.vaults) {
    std::vector<std::string> row = {a.vault.name};
    for (const VaultHoldings& b : inv.vaults) {
      std::string cell = "-";
      for (const CrossUnwrap& c : r.matrix) {
        if (c.wrapped_in == a.vault.name && c.unwrapped_in == b.vault.name) {
          cell = c.ok ? "ok" : "FAIL " + std::to_string(c.status.code());
        }
      }
      row.push_back(cell);
    }
    matrix.AddRow(row);
  }
  matrix.Print(out);
  out << "\n";
  if (r.safe()) {
    out << "result: SAFE to link — every vault holds the same material for every version, with the same "
           "properties and permissions\n";
    return;
  }
  out << "result: NOT SAFE to link — " << r.findings.size() << " problem" << (r.findings.size() == 1 ? "" : "s")
      << " in " << r.fix_order.size() << " vault" << (r.fix_order.size() == 1 ? "" : "s") << "\n";
  PrintFindingsInFixOrder(r.findings, r.fix_order, out);
}

Poco::JSON::Object::Ptr ReportJson(const GeoLinkReport& r, int expiry_days) {
  Poco::JSON::Object::Ptr doc = JsonObject();
  doc->set("command", "check");
  doc->set("safe", r.safe());
  doc->set("expiry_days", expiry_days);
  doc->set("current_thumbprint", r.current_thumbprint);
  doc->set("current_from", r.current_from);
  doc->set("inventory", InventoryJson(r.inventory));
  Poco::JSON::Array::Ptr perms = new Poco::JSON::Array;
  for (const PermissionProbe& p : r.permissions) {
    Poco::JSON::Object::Ptr j = JsonObject();
    j->set("vault", p.vault);
    j->set("permission", p.permission);
    j->set("probed", p.probed);
    j->set("granted", p.probed && p.status.ok());
    if (!p.status.ok()) j->set("status", StatusJson(p.status));
    perms->add(j);
  }
  doc->set("permissions", perms);
  Poco::JSON::Array::Ptr matrix = new Poco::JSON::Array;
  for (const CrossUnwrap& c : r.matrix) {
    Poco::JSON::Object::Ptr j = JsonObject();
    j->set("wrapped_in", c.wrapped_in);
    j->set("unwrapped_in", c.unwrapped_in);
    j->set("ok", c.ok);
    if (!c.ok) j->set("status", StatusJson(c.status));
    matrix->add(j);
  }
  doc->set("cross_unwrap", matrix);
  doc->set("findings", FindingsJson(r.findings));
  doc->set("fix_order", JsonStrings(r.fix_order));
  return doc;
}

}  // namespace

int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  VaultSetCommand cmd;
  if (auto stop = OpenVaultSetCommand("check", args, {"vaults", "expiry-days", "key"}, {}, err, cmd)) return *stop;
  std::vector<std::string> key_names;
  if (auto stop = SelectKeyNames(cmd, "check", err, &key_names)) return *stop;
  auto expiry_days = cmd.options.GetInt("expiry-days", 30, 0, 3650);
  if (!expiry_days.ok()) {
    err << "geoekm check: " << expiry_days.status().message() << "\n";
    return kExitUsage;
  }
  GeoLinkCheckOptions options;
  options.expiry_days = static_cast<int>(*expiry_days);
  if (auto vaults = cmd.options.Get("vaults")) {
    options.vaults = SplitList(*vaults);
    if (options.vaults.empty()) {
      err << "geoekm check: --vaults needs at least one vault name\n";
      return kExitUsage;
    }
  }
  TerminalProgress progress(err);
  options.progress = [&](const std::string& vault, std::string_view what) {
    progress.Update("geoekm check: " + vault + ": " + std::string(what));
  };
  PerKeyReport<GeoLinkReport> how;
  how.run = [&](const std::string& key_name) {
    auto report = CheckGeoLink(*cmd.runtime, key_name, options);
    progress.Finish();
    return report;
  };
  how.ok = [](const GeoLinkReport& r) { return r.safe(); };
  how.print_human = [&](const GeoLinkReport& r, std::ostream& o) { PrintHuman(r, options.expiry_days, o); };
  how.to_json = [&](const GeoLinkReport& r) { return ReportJson(r, options.expiry_days); };
  return RunPerKeyReports("check", key_names, cmd.json, how, out, err);
}

}  // namespace geoekm::cli
