#include "provider/cli/sync_command.h"

#include "provider/cli/cli_command.h"
#include "provider/cli/json_output.h"
#include "provider/cli/replication_options.h"
#include "provider/cli/terminal_progress.h"
#include "provider/cli/text_table.h"
#include "provider/cli/vault_set_command.h"
#include "replication/authority_failure.h"
#include "replication/escrow_file.h"
#include "replication/sync_apply.h"
#include "replication/sync_plan.h"
#include "replication/vault_inventory.h"

namespace geoekm::cli {
namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string OutcomeText(const SyncStep& s) {
  if (!s.outcome) return "";
  return s.outcome->ok() ? "done, verified (" + Joined(s.new_versions) + ")" : "FAILED: " + s.outcome->ToString();
}

void PrintText(const SyncPlan& plan, bool applied, std::ostream& out) {
  out << "key " << plan.key_name << ": " << plan.history_versions << " version(s) in the history\n";
  if (plan.history_versions == 0) {
    out << "  the state store has no history of this key yet: nothing to sync (a wrap records the version; "
           "`geoekm state rebuild` reads it from the vaults)\n";
    return;
  }
  if (plan.nothing_to_do()) {
    out << "  every vault holds every version: nothing to do\n";
    return;
  }
  TextTable table({"vault", "geography", "action", "versions", "from", "result"});
  for (const SyncStep& s : plan.steps) {
    table.AddRow({s.vault, s.geography, std::string(SyncActionName(s.action)), Joined(s.thumbprints),
                  s.source_vault.empty() ? "-" : s.source_vault, applied ? OutcomeText(s) : "planned"});
  }
  table.Print(out);
  out << "why:\n";
  for (const SyncStep& s : plan.steps) out << "  " << s.vault << ": " << s.reason << "\n";
  if (!applied) out << "dry run: nothing was changed; run again with --apply to carry out the restores and imports\n";
}

void PrintJsonPlan(const SyncPlan& plan, bool applied, std::ostream& out) {
  auto doc = JsonObject();
  doc->set("key_name", plan.key_name);
  doc->set("history_versions", static_cast<int>(plan.history_versions));
  doc->set("applied", applied);
  Poco::JSON::Array::Ptr steps = new Poco::JSON::Array;
  for (const SyncStep& s : plan.steps) {
    auto o = JsonObject();
    o->set("vault", s.vault);
    o->set("geography", s.geography);
    o->set("action", std::string(SyncActionName(s.action)));
    o->set("thumbprints", JsonStrings(s.thumbprints));
    if (!s.source_vault.empty()) o->set("source_vault", s.source_vault);
    o->set("reason", s.reason);
    o->set("new_versions", JsonStrings(s.new_versions));
    if (s.outcome) {
      o->set("outcome", s.outcome->ok() ? std::string("ok") : s.outcome->ToString());
    } else {
      o->set("outcome", Poco::Dynamic::Var());
    }
    steps->add(o);
  }
  doc->set("steps", steps);
  doc->set("complete", plan.nothing_to_do() || (applied && plan.complete()));
  PrintJson(doc, out);
}

}  // namespace

int RunSyncCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  VaultSetCommand cmd;
  if (auto code = OpenVaultSetCommand("sync", args, {"escrow", "passphrase-file", "key"}, {"apply"}, err, cmd)) {
    return *code;
  }
  std::string key_name;
  if (auto code = SelectKeyName(cmd, "sync", err, &key_name)) return *code;
  const bool apply = cmd.options.Has("apply");

  std::unique_ptr<LocalRsaKey> escrow;
  if (auto file = cmd.options.Get("escrow")) {
    SecureString passphrase;
    if (auto code = ReadPassphraseOption(cmd, "sync", err, &passphrase)) return *code;
    auto read = ReadEscrowFile(*file, passphrase);
    if (!read.ok()) {
      err << "geoekm sync: could not run: " << read.status().ToString() << "\n";
      return kExitCouldNotRun;
    }
    escrow = std::move(read).value();
  } else if (cmd.options.Has("passphrase-file")) {
    err << "geoekm sync: --passphrase-file goes with --escrow FILE\n";
    return kExitUsage;
  }

  TerminalProgress progress(err);
  InventoryOptions inventory_options;
  inventory_options.progress = [&](const std::string& vault, std::string_view what) {
    progress.Update("sync: " + vault + ": " + std::string(what));
  };
  Result<KeyInventory> inventory = TakeKeyInventory(*cmd.runtime, key_name, inventory_options);
  if (!inventory.ok()) {
    progress.Finish();
    err << "geoekm sync: could not run: " << inventory.status().ToString() << "\n";
    return kExitCouldNotRun;
  }
  if (auto authority = AuthorityUnreachable(*inventory)) {
    progress.Finish();
    err << "geoekm sync: could not run: no vault could be asked: " << authority->ToString() << "\n";
    return kExitCouldNotRun;
  }
  SyncPlan plan = PlanSync(*inventory, escrow ? std::optional<std::string>(escrow->thumbprint()) : std::nullopt);
  if (apply) {
    ApplySync(*cmd.runtime, *inventory, escrow.get(), plan, [&](const SyncStep& s) {
      progress.Update("sync: " + std::string(SyncActionName(s.action)) + " into " + s.vault);
    });
  }
  progress.Finish();
  if (cmd.json) {
    PrintJsonPlan(plan, apply, out);
  } else {
    PrintText(plan, apply, out);
  }
  if (plan.nothing_to_do()) return kExitOk;
  return apply && plan.complete() ? kExitOk : kExitProblem;
}

}  // namespace geoekm::cli
