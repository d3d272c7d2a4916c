// The table of geoekm commands: the one place a new command is added.
#include "provider/cli/check_command.h"
#include "provider/cli/cli_command.h"
#include "provider/cli/config_check_command.h"
#include "provider/cli/drill_command.h"
#include "provider/cli/explain_command.h"
#include "provider/cli/history_command.h"
#include "provider/cli/rotate_command.h"
#include "provider/cli/state_rebuild_command.h"
#include "provider/cli/status_command.h"
#include "provider/cli/sync_command.h"
#include "provider/cli/verify_history_command.h"

namespace geoekm::cli {

const std::vector<CliCommand>& CliCommands() {
  static const std::vector<CliCommand> kCommands = {
      {{"config", "check"},
       "FILE",
       "validate a vault-set configuration (.ini or .json), print it",
       "Reads FILE (INI or JSON, chosen by the extension), checks every rule of the\n"
       "configuration reference (README.md) and prints the vault set as\n"
       "geoekm understood it: provider, vaults in priority order, the credential kind\n"
       "(never a secret), router tuning and warnings. On errors, prints all of them\n"
       "to stderr, each with its file, line or key path, and exits 1.\n",
       &RunConfigCheck},
      {{"drill"},
       "--config FILE [--deks N] [--concurrency N] [--primary VAULT]\n"
       "      [--outage-command CMD --recover-command CMD] [--failback-timeout-s S]\n"
       "      [--library PATH | --router]",
       "run a failover drill on a vault set and print the report",
       "Goes through the provider library libgeoekm-ekm.so as SQL Server does\n"
       "(dlopen, the 17 SqlCrypt* functions, GEOEKM_CONFIG=FILE, a session named\n"
       "after the vault set): opens the key by name, encrypts N random DEKs,\n"
       "decrypts them, then (with the outage/recover commands) runs the outage\n"
       "command (e.g. kill the primary region), decrypts every DEK concurrently\n"
       "through the remaining vaults, runs the recover command, waits until geoekm\n"
       "has failed back to the primary on its own, and decrypts them again. Prints\n"
       "the phases, what the state store recorded and every check. Never deletes\n"
       "or changes keys.\n"
       "--library PATH: the library to load (default: the one built with this\n"
       "geoekm, else the installed one). --router: call the router in this\n"
       "process instead of the library.\n"
       "Exit 0 when every check passed, 1 otherwise.\n",
       &RunDrillCommand},
      {{"state", "rebuild"},
       "--config FILE",
       "rebuild the key history in the state store from the vaults",
       "Reads every version of every configured key from every vault, identifies\n"
       "them by JWK thumbprint and merges them into the state store (history is\n"
       "never rewritten). Prints what was added and what the vaults cannot tell\n"
       "(which versions wrapped DEKs, and when). Exit 0 when every vault was read.\n",
       &RunStateRebuild},
      {{"sync"},
       "--config FILE [--apply] [--escrow FILE --passphrase-file FILE] [--key NAME] [--json]",
       "make every vault hold every key version of the history",
       "Reads what every vault holds and the state store's history. Per vault and\n"
       "missing version: a vault of the same geography holds it and this vault has no\n"
       "key of that name -> backup there, restore here (same version ids); otherwise\n"
       "the escrow given (encrypted PKCS#8 PEM or PFX, passphrase from a private file)\n"
       "holds it -> imported as a new version (new id, same thumbprint); otherwise the\n"
       "plan names the escrow copy needed. Without --apply prints the plan and changes\n"
       "nothing; --apply acts, verifies each copy's thumbprint and records it. Never\n"
       "deletes, disables or purges anything. Exit 0 nothing (left) to do, 1 steps\n"
       "left (dry run, escrow needed, blocked or failed), 2 usage, 3 could not run.\n",
       &RunSyncCommand},
      {{"rotate"},
       "--config FILE [--apply] [--resume] --escrow-out FILE --passphrase-file FILE [--key NAME] [--json]",
       "rotate the key everywhere: local key, escrow first, then T-SQL",
       "Generates a new RSA key locally (provider.key_size bits), writes it to the\n"
       "escrow FILE (new file, 0600, PKCS#8 encrypted under the passphrase) before any\n"
       "vault is touched, imports it into every vault - secondaries first, the primary\n"
       "last, so wraps move to it only once every vault holds it - verifies each copy\n"
       "by thumbprint and records it. Stops at the first vault that fails (a partial\n"
       "rotation); --resume with the same escrow finishes it. Refused while a vault\n"
       "cannot be read or lacks a version of the history (run sync first). Old\n"
       "versions stay, enabled. Prints the T-SQL the DBA runs next. Without --apply\n"
       "prints what it would do. Exit 0 done, 1 refused or partial, 2 usage, 3 could\n"
       "not run.\n",
       &RunRotateCommand},
      {{"check"},
       "--config FILE [--key NAME] [--vaults A,B] [--expiry-days N] [--json]",
       "may these vaults be geo-linked? (material, properties, access)",
       "For each configured key (or --key NAME) and every pair of the given vaults\n"
       "(default: all): the same key material (by JWK thumbprint) for the current version and\n"
       "every version in the state store's history, and no other material under the\n"
       "name; each copy enabled, inside nbf/exp, key_ops with wrapKey and unwrapKey,\n"
       "the same kty and size; the identity's get, list, wrapKey and unwrapKey\n"
       "permissions (probed); a canary wrapped in each vault unwrapped in every other;\n"
       "no copy expiring within --expiry-days (default 30). On problems prints, per\n"
       "vault, the reason, the error Azure would give and the fix, secondaries first.\n"
       "Changes nothing. Exit 0 when a link is safe, 1 with problems (an unreachable\n"
       "vault too), 2 usage error, 3 could not run (configuration, state store).\n",
       &RunCheckCommand},
      {{"verify-history"},
       "--config FILE [--key NAME] [--from T1] [--to T2] [--vaults A,B] [--json]",
       "can every historic backup be restored through every vault?",
       "For each configured key (or --key NAME), for every key version in the state store's history whose use (first to last\n"
       "wrap) overlaps the window (T: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z or unix\n"
       "seconds; default: all time): every vault holds it, enabled, its name not\n"
       "soft-deleted (if it is: how to recover it), not expired, and a canary wrapped\n"
       "with its public key unwraps there. On failure prints, per vault, Azure SQL's\n"
       "\"Target server ... does not have access to all AKV Uris created between <t1>\n"
       "and <t2>\" with the missing kids and the fixes. Changes nothing.\n"
       "Exit 0 when every version is restorable everywhere, 1 otherwise (an unreachable\n"
       "vault too), 2 usage error, 3 could not run.\n",
       &RunVerifyHistoryCommand},
      {{"status"},
       "--config FILE [--key NAME] [--json]",
       "per vault: health, latency, last error, versions, expiry",
       "Per configured vault: the health the provider recorded in the state store,\n"
       "call latency p50/p95 and the last error (with its connector code) over the\n"
       "last hour of the audit, and, read live, the versions of the key (the first\n"
       "configured, or --key NAME) it holds and\n"
       "the days until its copy of the current version expires. Changes nothing.\n"
       "Exit 0 when every vault answered and none is ejected or quarantined, 1\n"
       "otherwise, 2 usage error, 3 could not run.\n",
       &RunStatusCommand},
      {{"history"},
       "--config FILE [--json]",
       "every key version geoekm used and where it lives",
       "From the state store only: each version of each configured key (thumbprint,\n"
       "kty and size, created, first and last wrap) and per vault its version id,\n"
       "enabled, copy status and when it was last verified. Works with every vault\n"
       "down. Exit 0, 2 usage error, 3 could not run (configuration, state store).\n",
       &RunHistoryCommand},
      {{"explain"},
       "CODE [--json] | --all",
       "what an error code means and what to do",
       "Looks CODE up in the error-code table of the SQL Server Connector for Azure Key\n"
       "Vault (0-7 engine, 2049-4000 connector) and geoekm's own codes (5001 and up):\n"
       "its symbol, who defines it, its meaning and what to do. --all prints the whole\n"
       "table as Markdown (docs/ERROR_CODES.md). Needs no configuration.\n"
       "Exit 0 for a known code, 1 for an unknown one, 2 for a usage error.\n",
       &RunExplainCommand},
  };
  return kCommands;
}

}  // namespace geoekm::cli
