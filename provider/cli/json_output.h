// The --json output of geoekm's commands: one JSON document on stdout,
// indented, members in the order they were set, so machines parse it and
// people can still read a diff of it.
//
// Thread safety: pure functions.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace geoekm::cli {

// A new object that keeps members in insertion order.
Poco::JSON::Object::Ptr JsonObject();
Poco::JSON::Array::Ptr JsonStrings(const std::vector<std::string>& values);
// Sets `name` to the value, or to null when absent.
void SetOptional(Poco::JSON::Object& o, const std::string& name, const std::optional<std::int64_t>& value);
void SetOptional(Poco::JSON::Object& o, const std::string& name, const std::optional<bool>& value);
void PrintJson(const Poco::JSON::Object::Ptr& document, std::ostream& out);

}  // namespace geoekm::cli
