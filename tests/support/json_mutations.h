// Mutations of a recorded JSON answer for property tests of the parsers of
// untrusted bodies: every value (an object member or an array element, at
// any depth) in turn replaced by null, numbers at and past the int64 range,
// booleans, strings (empty, short, a megabyte), arrays and objects (empty,
// holding null), a moderate and a 100k-deep nesting, or deleted; and the
// whole body truncated at every length or replaced by other JSON.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace geoekm::testing {

// What took the mutated value's place, for tests that know each field's type.
enum class MutantKind {
  kNull,
  kBool,
  kWholeNumber,  // within int64
  kOtherNumber,  // a fraction, 1e300, past int64
  kString,
  kEmptyArray,
  kArray,        // holding null or a number
  kEmptyObject,
  kObject,       // holding null, or objects nested 60 deep
  kTooDeep,      // arrays nested 100000 deep: no parser may accept it
  kDeleted,
  kWholeBody,    // the body itself truncated or replaced
};

struct JsonMutation {
  std::string where;  // "key.key_ops[0]", "" for the whole body
  std::string what;   // "null", "deleted", "truncated to 17 bytes", ...
  MutantKind kind;
  std::string body;
};

// `json` must be a JSON object or array.
std::vector<JsonMutation> MutationsOf(const std::string& json);

// `depth` nested arrays around `inner` ("[[[...inner...]]]").
std::string NestedArrays(std::size_t depth, const std::string& inner = "");

}  // namespace geoekm::testing
