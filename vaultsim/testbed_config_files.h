// The files `vaultsim testbed up` writes from its plan: the service configs
// (login.json, vault.json per vault), ready-to-use geoekm configurations
// (geoekm.ini / geoekm.json with the client secret, geoekm-certificate.ini,
// geoekm-managed-identity.ini) and the machine-readable testbed.json.
//
// Thread safety: functions over the file system; call from one thread.
#pragma once

#include "core/status.h"
#include "vaultsim/testbed_plan.h"

namespace geoekm::vaultsim {

Status WriteLoginServiceConfig(const TestbedPlan& plan);
Status WriteVaultServiceConfig(const TestbedPlan& plan, const TestbedVault& vault);
// Needs the actual ports (written after every service is up).
Status WriteGeoekmConfigs(const TestbedPlan& plan);
Status WriteTestbedJson(const TestbedPlan& plan);

// Writes text to path with the given mode, via a temp file + rename.
Status WriteFileAtomically(const std::string& path, const std::string& text, unsigned mode);

}  // namespace geoekm::vaultsim
