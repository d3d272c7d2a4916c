// Helpers shared by the configuration tests: load a ConfigSpec in either
// syntax from a temporary directory and check rejections.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config_document.h"
#include "config/config_loader.h"
#include "core/error_codes.h"
#include "tests/config/config_spec.h"
#include "tests/config/temp_config_dir.h"

namespace geoekm::testing {

inline std::string SyntaxName(const ::testing::TestParamInfo<ConfigSyntax>& info) {
  return info.param == ConfigSyntax::kIni ? "Ini" : "Json";
}

// Writes `spec` as vaults.ini / vaults.json (mode `mode`) into `dir`.
inline std::string WriteSpec(const TempConfigDir& dir, const ConfigSpec& spec, ConfigSyntax syntax,
                             mode_t mode = 0600) {
  return syntax == ConfigSyntax::kIni ? dir.Write("vaults.ini", spec.Ini(), mode)
                                      : dir.Write("vaults.json", spec.Json(), mode);
}

// The config is rejected with `code` and the message contains `fragment`.
inline ::testing::AssertionResult Rejected(const Result<VaultSetConfig>& result, const std::string& fragment,
                                           int code = codes::kConfigInvalid) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted; expected an error containing: " << fragment;
  if (result.status().code() != code) {
    return ::testing::AssertionFailure() << "code " << result.status().code() << ", expected " << code << ": "
                                         << result.status().message();
  }
  if (result.status().message().find(fragment) == std::string::npos) {
    return ::testing::AssertionFailure() << "message lacks '" << fragment << "': " << result.status().message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace geoekm::testing
