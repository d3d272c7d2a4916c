// ConfigFields: reads the file and the typed members of a vaultsim JSON
// config (`vaultsim login` and `vaultsim vault`). A member that is absent or
// null leaves the output as it was (a required string is an error instead).
// Every error is a kConfigInvalid Status whose message starts with the
// prefix given at construction ("login config: ") and names the member.
//
// Thread safety: a plain value; const methods only.
#pragma once

#include <Poco/JSON/Object.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace geoekm::vaultsim {

class ConfigFields {
 public:
  explicit ConfigFields(std::string prefix) : prefix_(std::move(prefix)) {}

  // kConfigInvalid, message prefix + what.
  Status Invalid(const std::string& what) const;

  // The whole text of the config file; "cannot read PATH" when it cannot be opened.
  Result<std::string> ReadFile(const std::string& path) const;

  // A string; when required, it must be present and not empty.
  Status ReadString(const Poco::JSON::Object& o, const std::string& key, bool required, std::string* out) const;
  // Required strings, read in the order given; the first error is returned.
  Status ReadRequiredStrings(const Poco::JSON::Object& o,
                             std::initializer_list<std::pair<const char*, std::string*>> members) const;
  // An integer in [lo, hi].
  Status ReadInt(const Poco::JSON::Object& o, const std::string& key, int lo, int hi, int* out) const;
  Status ReadBool(const Poco::JSON::Object& o, const std::string& key, bool* out) const;
  // An array of strings, appended to *out.
  Status ReadStringList(const Poco::JSON::Object& o, const std::string& key, std::vector<std::string>* out) const;

 private:
  std::string prefix_;
};

}  // namespace geoekm::vaultsim
