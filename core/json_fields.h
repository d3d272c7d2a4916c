// Reading JSON that another party sent (a vault, an authority, IMDS): such a
// body is untrusted input, so parsing never throws, nesting is capped before
// it can exhaust the stack, and every field is read with its type checked.
//
// A field that is absent or null reads as "not there" (nullopt / an empty
// view); a field of another type also does, and records a problem naming the
// field ("key.key_ops[0] is not a string") so the caller can reject the body
// as a whole with its own error code. Poco's own accessors would convert
// silently (a number as a string) or throw (a null as a string).
//
// Thread safety: a JsonFields and the views made from it share one problem
// record; use them from one thread.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geoekm {

// Far deeper than any Key Vault, Entra ID or IMDS answer.
inline constexpr std::size_t kMaxJsonDepth = 64;

// The object `text` holds; null when it is not JSON, not an object, or nested
// deeper than kMaxJsonDepth.
Poco::JSON::Object::Ptr ParseJsonObject(std::string_view text);

// One string field of the top-level object in `text`, picked out as Poco's
// parser reads it, without building the document: for answers read on every
// call (a vault's wrap and unwrap results, whose "value" may be a DEK). The
// verdicts of JsonFields(ParseJsonObject(text)).String(name), with the same
// problem text; a name given twice counts as its last occurrence, as there.
struct TopLevelString {
  bool object = false;               // `text` is a JSON object within kMaxJsonDepth
  std::optional<std::string> value;  // present, not null and a string
  std::string problem;               // "<name> is not a string", or ""
};
TopLevelString ParseTopLevelString(std::string_view text, const std::string& name);

class JsonFields {
 public:
  // `object` may be null (an absent object: every field reads as absent).
  explicit JsonFields(Poco::JSON::Object::Ptr object);

  bool present() const { return !object_.isNull(); }

  std::optional<std::string> String(const std::string& name) const;
  std::optional<bool> Bool(const std::string& name) const;
  std::optional<std::int64_t> Integer(const std::string& name) const;  // a whole number within int64
  JsonFields Object(const std::string& name) const;
  // An array whose elements must all be strings / whole numbers / objects.
  std::optional<std::vector<std::string>> Strings(const std::string& name) const;
  std::optional<std::vector<std::int64_t>> Integers(const std::string& name) const;
  std::optional<std::vector<JsonFields>> Objects(const std::string& name) const;
  // An object whose members must all be strings (Key Vault tags).
  std::optional<std::map<std::string, std::string>> StringMap(const std::string& name) const;

  // The first field read with the wrong type, "" when there was none.
  const std::string& problem() const { return *problem_; }

 private:
  JsonFields(Poco::JSON::Object::Ptr object, std::string path, std::shared_ptr<std::string> problem);
  // The value of `name` when it is present and not null.
  std::optional<Poco::Dynamic::Var> Get(const std::string& name) const;
  // The elements of array `name`, each read by `read` (nullopt = wrong type).
  template <typename T, typename Read>
  std::optional<std::vector<T>> Elements(const std::string& name, const char* what, Read read) const;
  void Fail(const std::string& name, const char* what) const;
  std::string PathOf(const std::string& name) const { return path_ + name; }

  Poco::JSON::Object::Ptr object_;
  std::string path_;  // "key." for the fields of "key"
  std::shared_ptr<std::string> problem_;
};

}  // namespace geoekm
