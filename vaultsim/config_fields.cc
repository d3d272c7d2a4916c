#include "vaultsim/config_fields.h"

#include <Poco/JSON/Array.h>

#include <utility>

#include "core/error_codes.h"
#include "vaultsim/file_text.h"

namespace geoekm::vaultsim {

Status ConfigFields::Invalid(const std::string& what) const {
  return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, prefix_ + what);
}

Result<std::string> ConfigFields::ReadFile(const std::string& path) const {
  std::optional<std::string> text = ReadFileText(path);
  if (!text) return Invalid("cannot read " + path);
  return std::move(*text);
}

Status ConfigFields::ReadString(const Poco::JSON::Object& o, const std::string& key, bool required,
                                std::string* out) const {
  if (!o.has(key) || o.isNull(key)) return required ? Invalid("missing \"" + key + "\"") : Status::Ok();
  Poco::Dynamic::Var v = o.get(key);
  if (!v.isString()) return Invalid("\"" + key + "\" must be a string");
  *out = v.extract<std::string>();
  if (required && out->empty()) return Invalid("\"" + key + "\" must not be empty");
  return Status::Ok();
}

Status ConfigFields::ReadRequiredStrings(const Poco::JSON::Object& o,
                                         std::initializer_list<std::pair<const char*, std::string*>> members) const {
  for (const auto& [key, out] : members) {
    Status s = ReadString(o, key, true, out);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ConfigFields::ReadInt(const Poco::JSON::Object& o, const std::string& key, int lo, int hi, int* out) const {
  if (!o.has(key) || o.isNull(key)) return Status::Ok();
  Poco::Dynamic::Var v = o.get(key);
  if (!v.isInteger()) return Invalid("\"" + key + "\" must be an integer");
  const long long n = v.convert<long long>();
  if (n < lo || n > hi) return Invalid("\"" + key + "\" out of range");
  *out = static_cast<int>(n);
  return Status::Ok();
}

Status ConfigFields::ReadBool(const Poco::JSON::Object& o, const std::string& key, bool* out) const {
  if (!o.has(key) || o.isNull(key)) return Status::Ok();
  Poco::Dynamic::Var v = o.get(key);
  if (!v.isBoolean()) return Invalid("\"" + key + "\" must be true or false");
  *out = v.extract<bool>();
  return Status::Ok();
}

Status ConfigFields::ReadStringList(const Poco::JSON::Object& o, const std::string& key,
                                    std::vector<std::string>* out) const {
  if (!o.has(key) || o.isNull(key)) return Status::Ok();
  Poco::JSON::Array::Ptr a = o.getArray(key);
  if (!a) return Invalid("\"" + key + "\" must be an array of strings");
  for (std::size_t i = 0; i < a->size(); ++i) {
    Poco::Dynamic::Var v = a->get(static_cast<unsigned>(i));
    if (!v.isString()) return Invalid("\"" + key + "\" must be an array of strings");
    out->push_back(v.extract<std::string>());
  }
  return Status::Ok();
}

}  // namespace geoekm::vaultsim
