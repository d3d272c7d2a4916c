#include "provider/cli/status_command.h"

#include "provider/cli/cli_command.h"
#include "provider/cli/json_output.h"
#include "provider/cli/replication_options.h"
#include "provider/cli/replication_output.h"
#include "provider/cli/text_table.h"
#include "provider/cli/vault_set_command.h"
#include "replication/vault_status.h"
#include "state/missing_versions_message.h"

namespace geoekm::cli {
namespace {

bool Troubled(const VaultStatus& s) {
  return !s.read_status.ok() ||
         (s.health && (*s.health == VaultHealthState::kEjected || *s.health == VaultHealthState::kQuarantined));
}

std::string Ms(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) + " ms" : "-"; }

std::string LastError(const VaultStatus& s) {
  if (!s.read_status.ok()) return "now: error " + std::to_string(s.read_status.code()) + " " + s.read_status.message();
  if (!s.last_error) return "-";
  const OperationRecord& op = s.last_error->operation;
  return "error " + std::to_string(op.outcome_code) + (op.http_status ? " (HTTP " + std::to_string(op.http_status) + ")" : "") +
         " on " + std::string(VaultCallName(op.op)) + " at " + FormatUtcTimestamp(s.last_error->time_ms);
}

}  // namespace

int RunStatusCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  VaultSetCommand cmd;
  if (auto stop = OpenVaultSetCommand("status", args, {"key"}, {}, err, cmd)) return *stop;
  std::string key_name;
  if (auto stop = SelectKeyName(cmd, "status", err, &key_name)) return *stop;
  auto report = ReadVaultStatus(*cmd.runtime, key_name);
  if (!report.ok()) {
    err << "geoekm status: could not run: " << report.status().ToString() << "\n";
    return kExitCouldNotRun;
  }
  bool troubled = false;
  for (const VaultStatus& s : report->vaults) troubled = troubled || Troubled(s);
  if (cmd.json) {
    Poco::JSON::Object::Ptr doc = JsonObject();
    doc->set("command", "status");
    doc->set("key", report->key_name);
    doc->set("current_thumbprint", report->current_thumbprint);
    doc->set("audit_window_minutes", static_cast<std::int64_t>(report->audit_window.count()));
    Poco::JSON::Array::Ptr vaults = new Poco::JSON::Array;
    for (const VaultStatus& s : report->vaults) {
      Poco::JSON::Object::Ptr j = JsonObject();
      j->set("name", s.vault.name);
      j->set("region", s.vault.region);
      j->set("priority", s.vault.priority);
      j->set("health", s.health ? std::string(VaultHealthStateName(*s.health)) : std::string("unknown"));
      SetOptional(*j, "health_since_ms", s.health_since_ms);
      j->set("calls", s.calls);
      SetOptional(*j, "latency_p50_ms", s.latency_p50_ms);
      SetOptional(*j, "latency_p95_ms", s.latency_p95_ms);
      if (s.last_error) {
        Poco::JSON::Object::Ptr e = JsonObject();
        e->set("code", s.last_error->operation.outcome_code);
        e->set("http_status", s.last_error->operation.http_status);
        e->set("operation", std::string(VaultCallName(s.last_error->operation.op)));
        e->set("time_ms", s.last_error->time_ms);
        j->set("last_error", e);
      } else {
        j->set("last_error", Poco::Dynamic::Var());
      }
      j->set("readable", s.read_status.ok());
      if (!s.read_status.ok()) j->set("read_error", StatusJson(s.read_status));
      j->set("versions_held", s.versions_held);
      j->set("current_version", s.current_version);
      SetOptional(*j, "current_exp", s.current_exp);
      SetOptional(*j, "days_to_expiry", s.days_to_expiry);
      vaults->add(j);
    }
    doc->set("vaults", vaults);
    doc->set("ok", !troubled);
    PrintJson(doc, out);
  } else {
    out << "geoekm status: key '" << report->key_name << "', current version "
        << (report->current_thumbprint.empty() ? "unknown" : report->current_thumbprint) << "\n";
    TextTable table({"vault", "region", "health", "p50", "p95", "calls/" + std::to_string(report->audit_window.count()) + "m",
                     "versions", "expires in", "last error"});
    for (const VaultStatus& s : report->vaults) {
      table.AddRow({s.vault.name, s.vault.region,
                    s.health ? std::string(VaultHealthStateName(*s.health)) : "not recorded", Ms(s.latency_p50_ms),
                    Ms(s.latency_p95_ms), std::to_string(s.calls),
                    s.read_status.ok() ? std::to_string(s.versions_held) : "?",
                    s.days_to_expiry ? std::to_string(*s.days_to_expiry) + " days"
                                     : (s.current_version.empty() ? "not held" : "never"),
                    LastError(s)});
    }
    table.Print(out);
  }
  return troubled ? kExitProblem : kExitOk;
}

}  // namespace geoekm::cli
