// The parts of the vault-set schema. Each reads one part of a ConfigDocument
// into its piece of VaultSetConfig, records every problem in `diag`, and
// fills defaults for what is absent. The result is meaningful only when
// `diag` has no errors. Used by config_loader.cc; the schema itself is
// documented in README.md, "Configuration reference".
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/config_diagnostics.h"
#include "config/config_document.h"
#include "config/vault_set_config.h"

namespace geoekm {

// [provider]. Warnings (e.g. key names past the connector's limit) go to
// diag's warnings.
ProviderConfig ReadProviderSection(const ConfigDocument& doc, ConfigDiagnostics& diag);

// [vault.<name>] sections / the "vaults" array, sorted by priority, with the
// set-level rules (count, unique names and priorities).
std::vector<VaultConfig> ReadVaultSections(const ConfigDocument& doc, const ProviderConfig& provider,
                                           ConfigDiagnostics& diag);

// [auth], including the exactly-one-credential rule and secret-file checks.
CredentialOptions ReadAuthSection(const ConfigDocument& doc, ConfigDiagnostics& diag);

// [router] tuning; every key optional with a documented default.
RouterTuning ReadRouterSection(const ConfigDocument& doc, ConfigDiagnostics& diag);

// One row of the [router] table: key, unit, range and default, for
// validation and for the documentation/CLI to print.
struct RouterKnob {
  enum class Kind { kInteger, kNumber, kBool };
  const char* key;  // the unit is in the name (_ms, _s)
  Kind kind;
  double min;  // ignored for kBool
  double max;
  std::function<double(const RouterTuning&)> get;  // bool as 0/1
  std::function<void(RouterTuning&, double)> set;
};
const std::vector<RouterKnob>& RouterKnobs();

}  // namespace geoekm
