#include "config/json_config_reader.h"

#include <Poco/AutoPtr.h>
#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Query.h>
#include <Poco/Util/JSONConfiguration.h>

namespace geoekm {
namespace {

bool IsObject(const Poco::Dynamic::Var& v) { return v.type() == typeid(Poco::JSON::Object::Ptr); }
bool IsArray(const Poco::Dynamic::Var& v) { return v.type() == typeid(Poco::JSON::Array::Ptr); }

std::string AsText(const Poco::Dynamic::Var& v) {
  try {
    return v.convert<std::string>();
  } catch (const Poco::Exception&) {
    return "";
  }
}

ConfigValue ToValue(const Poco::Dynamic::Var& v) {
  ConfigValue value;
  if (v.isEmpty()) {
    value.type = ConfigValue::Type::kNull;
  } else if (IsObject(v)) {
    value.type = ConfigValue::Type::kTable;
  } else if (IsArray(v)) {
    value.type = ConfigValue::Type::kList;
    Poco::JSON::Array::Ptr array = v.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < array->size(); ++i) {
      Poco::Dynamic::Var item = array->get(static_cast<unsigned>(i));
      if (!item.isString()) value.items_are_strings = false;
      value.items.push_back(AsText(item));
    }
  } else if (v.isBoolean()) {
    value.type = ConfigValue::Type::kBool;
  } else if (v.isString()) {
    value.type = ConfigValue::Type::kString;
  } else if (v.isInteger()) {
    value.type = ConfigValue::Type::kInteger;
  } else {
    value.type = ConfigValue::Type::kNumber;
  }
  if (value.type != ConfigValue::Type::kList && value.type != ConfigValue::Type::kTable) value.text = AsText(v);
  return value;
}

class JsonDocumentBuilder {
 public:
  JsonDocumentBuilder(const std::string& file, const Poco::JSON::Object::Ptr& root, ConfigDiagnostics& diag)
      : file_(file), config_(new Poco::Util::JSONConfiguration(root)), query_(root), diag_(diag) {}

  ConfigDocument Build() {
    ConfigDocument doc;
    doc.file = file_;
    doc.syntax = ConfigSyntax::kJson;
    Poco::Util::AbstractConfiguration::Keys roots;
    config_->keys("", roots);
    for (const std::string& root : roots) {
      Poco::Dynamic::Var v = query_.find(root);
      if (root == "vaults") {
        doc.vaults_present = true;
        AddVaults(v, doc);
      } else if (IsObject(v)) {
        doc.sections.push_back(Table(root, root));
      } else {
        doc.stray.push_back(Entry(root, root));
      }
    }
    return doc;
  }

 private:
  ConfigEntry Entry(const std::string& key, const std::string& path) const {
    ConfigEntry entry;
    entry.key = key;
    entry.value = ToValue(query_.find(path));
    entry.where = {file_, 0, path};
    return entry;
  }

  ConfigTable Table(const std::string& name, const std::string& path) const {
    ConfigTable table;
    table.name = name;
    table.where = {file_, 0, path};
    Poco::Util::AbstractConfiguration::Keys keys;
    config_->keys(path, keys);
    for (const std::string& key : keys) table.entries.push_back(Entry(key, path + "." + key));
    return table;
  }

  void AddVaults(const Poco::Dynamic::Var& v, ConfigDocument& doc) {
    if (!IsArray(v)) {
      diag_.Error({file_, 0, "vaults"}, std::string("must be an array of objects, got ") +
                                             ConfigValue::Describe(ToValue(v).type),
                  "[ {\"name\": ..., \"url\": ...}, ... ]");
      return;
    }
    std::size_t count = v.extract<Poco::JSON::Array::Ptr>()->size();
    for (std::size_t i = 0; i < count; ++i) {
      std::string path = "vaults[" + std::to_string(i) + "]";
      Poco::Dynamic::Var item = query_.find(path);
      if (!IsObject(item)) {
        diag_.Error({file_, 0, path},
                    std::string("must be an object, got ") + ConfigValue::Describe(ToValue(item).type),
                    "{\"name\": ..., \"url\": ..., ...}");
        continue;
      }
      doc.vaults.push_back(Table("", path));
    }
  }

  const std::string& file_;
  Poco::AutoPtr<Poco::Util::JSONConfiguration> config_;
  Poco::JSON::Query query_;
  ConfigDiagnostics& diag_;
};

}  // namespace

std::optional<ConfigDocument> ReadJsonConfig(const std::string& file, const std::string& text,
                                             ConfigDiagnostics& diag) {
  Poco::Dynamic::Var parsed;
  try {
    // Keep the file's key order so errors come out in reading order.
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(/*preserveObjectOrder=*/true));
    parsed = parser.parse(text);
  } catch (const Poco::Exception& e) {
    diag.Error({file, 0, ""}, "not valid JSON: " + e.message(), "a JSON object (RFC 8259)");
    return std::nullopt;
  }
  if (!IsObject(parsed)) {
    diag.Error({file, 0, ""}, "the top level must be a JSON object", "{\"provider\": {...}, \"vaults\": [...], ...}");
    return std::nullopt;
  }
  return JsonDocumentBuilder(file, parsed.extract<Poco::JSON::Object::Ptr>(), diag).Build();
}

}  // namespace geoekm
