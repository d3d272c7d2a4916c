#include "provider/cli/json_output.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Stringifier.h>

namespace geoekm::cli {

Poco::JSON::Object::Ptr JsonObject() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::JSON::Array::Ptr JsonStrings(const std::vector<std::string>& values) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const std::string& v : values) a->add(v);
  return a;
}

void SetOptional(Poco::JSON::Object& o, const std::string& name, const std::optional<std::int64_t>& value) {
  if (value) {
    o.set(name, *value);
  } else {
    o.set(name, Poco::Dynamic::Var());
  }
}

void SetOptional(Poco::JSON::Object& o, const std::string& name, const std::optional<bool>& value) {
  if (value) {
    o.set(name, *value);
  } else {
    o.set(name, Poco::Dynamic::Var());
  }
}

void PrintJson(const Poco::JSON::Object::Ptr& document, std::ostream& out) {
  Poco::JSON::Stringifier::stringify(document, out, 2);
  out << "\n";
}

}  // namespace geoekm::cli
