#include "core/json_fields.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Handler.h>
#include <Poco/JSON/Parser.h>

#include <limits>
#include <typeinfo>
#include <utility>

#include "core/secure_bytes.h"

namespace geoekm {
namespace {

using Poco::Dynamic::Var;

bool IsString(const Var& v) { return v.type() == typeid(std::string); }

std::optional<std::int64_t> WholeNumber(const Var& v) {
  if (v.type() == typeid(Poco::Int64)) return v.extract<Poco::Int64>();
  if (v.type() == typeid(Poco::UInt64)) {
    const Poco::UInt64 u = v.extract<Poco::UInt64>();
    if (u > static_cast<Poco::UInt64>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  return std::nullopt;  // a fraction, an exponent (the parser makes those doubles) or not a number
}

// Follows the parser's events for one field of the top-level object.
class TopLevelStringHandler final : public Poco::JSON::Handler {
 public:
  explicit TopLevelStringHandler(const std::string& name) : name_(name) {}
  ~TopLevelStringHandler() override {
    if (value_) WipeString(*value_);
  }

  void reset() override {
    depth_ = 0;
    root_seen_ = root_object_ = at_name_ = wrong_type_ = false;
    value_.reset();
  }
  void startObject() override { Open(/*object=*/true); }
  void endObject() override { --depth_; }
  void startArray() override { Open(/*object=*/false); }
  void endArray() override { --depth_; }
  void key(const std::string& k) override { at_name_ = depth_ == 1 && root_object_ && k == name_; }
  void null() override {
    if (Take()) Set(std::nullopt, false);  // null reads as absent
  }
  void value(int) override { Other(); }
  void value(unsigned) override { Other(); }
  void value(Poco::Int64) override { Other(); }
  void value(Poco::UInt64) override { Other(); }
  void value(double) override { Other(); }
  void value(bool) override { Other(); }
  void value(const std::string& v) override {
    if (Take()) Set(v, false);
    else Root(false);
  }

  TopLevelString Result() {
    TopLevelString out;
    out.object = root_object_;
    if (!root_object_) return out;
    if (wrong_type_) out.problem = name_ + " is not a string";
    else out.value = std::move(value_);
    return out;
  }

 private:
  // The first event decides what the document is.
  void Root(bool object) {
    if (!root_seen_) root_object_ = object;
    root_seen_ = true;
  }
  void Open(bool object) {
    if (Take()) Set(std::nullopt, true);
    Root(object);
    ++depth_;
  }
  void Other() {
    if (Take()) Set(std::nullopt, true);
    Root(false);
  }
  // Whether this value belongs to the field (its key came just before).
  bool Take() { return std::exchange(at_name_, false); }
  void Set(std::optional<std::string> v, bool wrong_type) {
    if (value_) WipeString(*value_);
    value_ = std::move(v);
    wrong_type_ = wrong_type;
  }

  const std::string& name_;
  int depth_ = 0;
  bool root_seen_ = false;
  bool root_object_ = false;
  bool at_name_ = false;
  bool wrong_type_ = false;
  std::optional<std::string> value_;
};

}  // namespace

TopLevelString ParseTopLevelString(std::string_view text, const std::string& name) {
  auto* handler = new TopLevelStringHandler(name);
  const Poco::JSON::Handler::Ptr owner(handler);
  try {
    std::string copy(text);  // the parser takes a std::string; it may hold a DEK
    const WipeStringOnExit wipe(copy);
    Poco::JSON::Parser parser(owner);
    parser.setDepth(kMaxJsonDepth);
    parser.parse(copy);
    return handler->Result();
  } catch (const std::exception&) {  // as in ParseJsonObject
    return TopLevelString{};
  }
}

Poco::JSON::Object::Ptr ParseJsonObject(std::string_view text) {
  try {
    // The parser takes a std::string; this copy may hold a DEK (an unwrap
    // answer), so it is wiped however the parse ends.
    std::string copy(text);
    const WipeStringOnExit wipe(copy);
    // The parser refuses deeper input before recursing into it.
    Poco::JSON::Parser parser;
    parser.setDepth(kMaxJsonDepth);
    Var v = parser.parse(copy);
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
    return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {  // Poco's JSON, syntax and range errors; bad_alloc on absurd sizes
    return nullptr;
  }
}

JsonFields::JsonFields(Poco::JSON::Object::Ptr object)
    : JsonFields(std::move(object), "", std::make_shared<std::string>()) {}

JsonFields::JsonFields(Poco::JSON::Object::Ptr object, std::string path, std::shared_ptr<std::string> problem)
    : object_(std::move(object)), path_(std::move(path)), problem_(std::move(problem)) {}

std::optional<Var> JsonFields::Get(const std::string& name) const {
  if (object_.isNull() || !object_->has(name)) return std::nullopt;
  Var v = object_->get(name);
  if (v.isEmpty()) return std::nullopt;
  return v;
}

void JsonFields::Fail(const std::string& name, const char* what) const {
  if (problem_->empty()) *problem_ = PathOf(name) + " " + what;
}

std::optional<std::string> JsonFields::String(const std::string& name) const {
  auto v = Get(name);
  if (!v) return std::nullopt;
  if (!IsString(*v)) {
    Fail(name, "is not a string");
    return std::nullopt;
  }
  return v->extract<std::string>();
}

std::optional<bool> JsonFields::Bool(const std::string& name) const {
  auto v = Get(name);
  if (!v) return std::nullopt;
  if (v->type() != typeid(bool)) {
    Fail(name, "is not true or false");
    return std::nullopt;
  }
  return v->extract<bool>();
}

std::optional<std::int64_t> JsonFields::Integer(const std::string& name) const {
  auto v = Get(name);
  if (!v) return std::nullopt;
  auto n = WholeNumber(*v);
  if (!n) Fail(name, "is not a whole number in range");
  return n;
}

JsonFields JsonFields::Object(const std::string& name) const {
  Poco::JSON::Object::Ptr child;
  if (auto v = Get(name)) {
    if (v->type() == typeid(Poco::JSON::Object::Ptr)) {
      child = v->extract<Poco::JSON::Object::Ptr>();
    } else {
      Fail(name, "is not an object");
    }
  }
  return JsonFields(child, PathOf(name) + ".", problem_);
}

template <typename T, typename Read>
std::optional<std::vector<T>> JsonFields::Elements(const std::string& name, const char* what, Read read) const {
  auto v = Get(name);
  if (!v) return std::nullopt;
  if (v->type() != typeid(Poco::JSON::Array::Ptr)) {
    Fail(name, "is not an array");
    return std::nullopt;
  }
  const Poco::JSON::Array& array = *v->extract<Poco::JSON::Array::Ptr>();
  std::vector<T> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string element_name = name + "[" + std::to_string(i) + "]";
    std::optional<T> element = read(array.get(static_cast<unsigned>(i)), element_name);
    if (!element) {
      Fail(element_name, what);
      return std::nullopt;
    }
    out.push_back(std::move(*element));
  }
  return out;
}

std::optional<std::vector<std::string>> JsonFields::Strings(const std::string& name) const {
  return Elements<std::string>(name, "is not a string", [](const Var& v, const std::string&) {
    return IsString(v) ? std::optional<std::string>(v.extract<std::string>()) : std::nullopt;
  });
}

std::optional<std::vector<std::int64_t>> JsonFields::Integers(const std::string& name) const {
  return Elements<std::int64_t>(name, "is not a whole number in range",
                                [](const Var& v, const std::string&) { return WholeNumber(v); });
}

std::optional<std::vector<JsonFields>> JsonFields::Objects(const std::string& name) const {
  return Elements<JsonFields>(name, "is not an object", [&](const Var& v, const std::string& element_name) {
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return std::optional<JsonFields>();
    return std::optional<JsonFields>(
        JsonFields(v.extract<Poco::JSON::Object::Ptr>(), PathOf(element_name) + ".", problem_));
  });
}

std::optional<std::map<std::string, std::string>> JsonFields::StringMap(const std::string& name) const {
  JsonFields members = Object(name);
  if (!members.present()) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : *members.object_) {
    // The member's name is the sender's text: it is not repeated in the message.
    if (!IsString(value)) {
      Fail(name, "has a member that is not a string");
      return std::nullopt;
    }
    out[key] = value.extract<std::string>();
  }
  return out;
}

}  // namespace geoekm
