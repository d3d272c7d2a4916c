#include "provider/cli/rotate_command.h"

#include "provider/cli/cli_command.h"
#include "provider/cli/json_output.h"
#include "provider/cli/replication_options.h"
#include "provider/cli/terminal_progress.h"
#include "provider/cli/text_table.h"
#include "provider/cli/vault_set_command.h"
#include "replication/key_rotation.h"
#include "replication/rotation_tsql.h"

namespace geoekm::cli {
namespace {

std::string ResumeCommand(const VaultSetCommand& cmd, const RotationReport& r) {
  return "geoekm rotate --resume --config " + cmd.config.source_file + " --escrow-out " + r.escrow_path +
         " --passphrase-file " + cmd.options.Get("passphrase-file").value_or("FILE") + " --apply";
}

std::string Tsql(const VaultSetCommand& cmd, const RotationReport& r) {
  return RotationTsql({r.key_name, r.primary_version, r.thumbprint, cmd.config.provider.set_name});
}

void PrintText(const VaultSetCommand& cmd, const RotationReport& r, bool apply, bool resume, std::ostream& out) {
  out << (resume ? "resuming the rotation of key " : "rotation of key ") << r.key_name << ": RSA-" << r.key_size
      << ", escrow " << r.escrow_path << " (journal " << r.journal_path << ")\n";
  if (r.refused) {
    out << "rotation refused: " << r.refused->ToString() << "\n";
    return;
  }
  if (!r.thumbprint.empty()) out << "new material: thumbprint " << r.thumbprint << "\n";
  TextTable table({"order", "vault", "priority", "state", "version", "note"});
  int order = 0;
  for (const RotationVaultStep& s : r.steps) {
    table.AddRow({std::to_string(++order), s.vault, std::to_string(s.priority),
                  std::string(RotationVaultStateName(s.state)), s.version.empty() ? "-" : s.version,
                  s.outcome.ok() ? "" : s.outcome.ToString()});
  }
  table.Print(out);
  if (!apply) {
    out << "dry run: nothing was generated, written or imported; run again with --apply "
        << (resume ? "to import where the new version is missing\n"
                   : "to generate the key locally, write the escrow (0600, encrypted) and import it into every "
                     "vault in this order (primary last)\n");
    return;
  }
  if (!r.complete()) {
    std::size_t held = 0;
    for (const RotationVaultStep& s : r.steps) {
      held += s.state == RotationVaultState::kImported || s.state == RotationVaultState::kAlreadyHeld;
    }
    out << "PARTIAL rotation: " << held << " of " << r.steps.size()
        << " vaults hold the new version; wraps keep using the previous version until every vault holds it.\n"
        << "Once the failed vault answers again, run:\n  " << ResumeCommand(cmd, r) << "\n";
    return;
  }
  out << "complete: every vault holds the new version (verified by thumbprint and recorded); wraps use it once "
         "each provider's current-version cache expires. Old versions stay, enabled.\n";
  auto pin = cmd.config.provider.pinned_thumbprints.find(r.key_name);
  if (pin != cmd.config.provider.pinned_thumbprints.end()) {
    out << "note: pinned_thumbprints pins " << r.key_name << " to " << pin->second
        << "; wraps keep using that until the pin is changed to " << r.key_name << ":" << r.thumbprint << "\n";
  }
  out << "Keep the escrow " << r.escrow_path << " and its passphrase apart and safe: it is the only way to "
      << "import this version into a vault of another geography later.\n"
      << "Next, the DBA runs (T-SQL):\n\n"
      << Tsql(cmd, r);
}

void PrintJsonReport(const VaultSetCommand& cmd, const RotationReport& r, bool apply, std::ostream& out) {
  auto doc = JsonObject();
  doc->set("key_name", r.key_name);
  doc->set("key_size", r.key_size);
  doc->set("thumbprint", r.thumbprint);
  doc->set("escrow", r.escrow_path);
  doc->set("journal", r.journal_path);
  doc->set("applied", apply);
  if (r.refused) doc->set("refused", r.refused->ToString());
  Poco::JSON::Array::Ptr steps = new Poco::JSON::Array;
  for (const RotationVaultStep& s : r.steps) {
    auto o = JsonObject();
    o->set("vault", s.vault);
    o->set("priority", s.priority);
    o->set("state", std::string(RotationVaultStateName(s.state)));
    o->set("version", s.version);
    if (!s.outcome.ok()) o->set("error", s.outcome.ToString());
    steps->add(o);
  }
  doc->set("steps", steps);
  doc->set("complete", r.complete());
  if (apply && r.complete()) doc->set("tsql", Tsql(cmd, r));
  if (apply && !r.refused && !r.complete()) doc->set("resume", ResumeCommand(cmd, r));
  PrintJson(doc, out);
}

}  // namespace

int RunRotateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  VaultSetCommand cmd;
  if (auto code = OpenVaultSetCommand("rotate", args, {"escrow-out", "passphrase-file", "key"}, {"apply", "resume"},
                                      err, cmd)) {
    return *code;
  }
  RotationRequest request;
  request.apply = cmd.options.Has("apply");
  request.resume = cmd.options.Has("resume");
  auto escrow = cmd.options.Get("escrow-out");
  if (!escrow) {
    err << "geoekm rotate: --escrow-out FILE is required (the escrow is written before any vault is touched)\n";
    return kExitUsage;
  }
  request.escrow_path = *escrow;
  // On --resume the key name comes from the journal unless --key is given.
  if (!request.resume || cmd.options.Has("key")) {
    if (auto code = SelectKeyName(cmd, "rotate", err, &request.key_name)) return *code;
  }
  if (auto code = ReadPassphraseOption(cmd, "rotate", err, &request.passphrase)) return *code;

  TerminalProgress progress(err);
  request.after_vault = [&](const RotationVaultStep& s) {
    progress.Update("rotate: " + s.vault + ": " + std::string(RotationVaultStateName(s.state)));
  };
  Result<RotationReport> report = RotateKey(*cmd.runtime, request);
  progress.Finish();
  if (!report.ok()) {
    err << "geoekm rotate: could not run: " << report.status().ToString() << "\n";
    return kExitCouldNotRun;
  }
  if (cmd.json) {
    PrintJsonReport(cmd, *report, request.apply, out);
  } else {
    PrintText(cmd, *report, request.apply, request.resume, out);
  }
  if (report->refused) return kExitProblem;
  if (!request.apply) return request.resume && !report->complete() ? kExitProblem : kExitOk;
  return report->complete() ? kExitOk : kExitProblem;
}

}  // namespace geoekm::cli
