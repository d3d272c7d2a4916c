// Typed reading of untrusted JSON (core/json_fields.h): parsing never throws
// and refuses nesting beyond the cap; absent and null fields read as absent;
// a field of another type reads as absent and names itself in problem().
#include "core/json_fields.h"

#include <gtest/gtest.h>

#include <string>

namespace geoekm {
namespace {

std::string Nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonFields, ParsesOnlyObjectsWithinTheDepthCap) {
  EXPECT_FALSE(ParseJsonObject(R"({"a":1})").isNull());
  EXPECT_TRUE(ParseJsonObject("").isNull());
  EXPECT_TRUE(ParseJsonObject("[1]").isNull());
  EXPECT_TRUE(ParseJsonObject(R"("text")").isNull());
  EXPECT_TRUE(ParseJsonObject(R"({"a":)").isNull());
  EXPECT_TRUE(ParseJsonObject(R"({"a":1e999})").isNull());  // out of double range
  // The root object is one level: 63 more fit, 64 more do not.
  EXPECT_FALSE(ParseJsonObject(R"({"a":)" + Nested(kMaxJsonDepth - 1) + "}").isNull());
  EXPECT_TRUE(ParseJsonObject(R"({"a":)" + Nested(kMaxJsonDepth) + "}").isNull());
  EXPECT_TRUE(ParseJsonObject(R"({"a":)" + Nested(100000) + "}").isNull());
}

TEST(JsonFields, AbsentAndNullAreAbsentWithoutAProblem) {
  JsonFields f(ParseJsonObject(R"({"s":null,"o":null,"a":null})"));
  EXPECT_FALSE(f.String("s"));
  EXPECT_FALSE(f.String("missing"));
  EXPECT_FALSE(f.Object("o").present());
  EXPECT_FALSE(f.Strings("a"));
  EXPECT_EQ(f.problem(), "");
  JsonFields none(nullptr);
  EXPECT_FALSE(none.present());
  EXPECT_FALSE(none.Integer("x"));
  EXPECT_EQ(none.problem(), "");
}

TEST(JsonFields, ReadsEachTypeOnlyFromItsOwnType) {
  JsonFields f(ParseJsonObject(
      R"({"s":"x","b":true,"i":-9223372036854775808,"u":18446744073709551615,"d":1.5,"n":"17","o":{"k":"v"},)"
      R"("sa":["a","b"],"ia":[1,2],"oa":[{"k":1}],"m":{"a":"1","b":"2"}})"));
  EXPECT_EQ(f.String("s"), std::optional<std::string>("x"));
  EXPECT_EQ(f.Bool("b"), std::optional<bool>(true));
  EXPECT_EQ(f.Integer("i"), std::optional<std::int64_t>(INT64_MIN));
  EXPECT_EQ(f.Object("o").String("k"), std::optional<std::string>("v"));
  EXPECT_EQ(f.Strings("sa"), std::optional<std::vector<std::string>>({"a", "b"}));
  EXPECT_EQ(f.Integers("ia"), std::optional<std::vector<std::int64_t>>({1, 2}));
  ASSERT_TRUE(f.Objects("oa"));
  EXPECT_EQ(f.Objects("oa")->at(0).Integer("k"), std::optional<std::int64_t>(1));
  EXPECT_EQ(f.StringMap("m")->size(), 2u);
  EXPECT_EQ(f.problem(), "");
  // No conversions: a number is not a string, a string of digits not a number.
  EXPECT_FALSE(f.String("b"));
  EXPECT_EQ(f.problem(), "b is not a string");
  for (const char* name : {"u", "d", "n", "s"}) EXPECT_FALSE(f.Integer(name)) << name;
  EXPECT_FALSE(f.Bool("s"));
  EXPECT_FALSE(f.Object("s").present());
  EXPECT_FALSE(f.Strings("ia"));
  EXPECT_FALSE(f.StringMap("oa"));
  EXPECT_EQ(f.problem(), "b is not a string");  // the first problem is kept
}

TEST(JsonFields, AProblemNamesItsPath) {
  auto problem = [](const char* json, auto read) {
    JsonFields f(ParseJsonObject(json));
    read(f);
    return f.problem();
  };
  EXPECT_EQ(problem(R"({"key":{"key_ops":["wrapKey",null]}})",
                    [](const JsonFields& f) { f.Object("key").Strings("key_ops"); }),
            "key.key_ops[1] is not a string");
  EXPECT_EQ(problem(R"({"value":[{"kid":"a"},7]})", [](const JsonFields& f) { f.Objects("value"); }),
            "value[1] is not an object");
  EXPECT_EQ(problem(R"({"value":[{"attributes":{"exp":"soon"}}]})",
                    [](const JsonFields& f) { f.Objects("value")->at(0).Object("attributes").Integer("exp"); }),
            "value[0].attributes.exp is not a whole number in range");
  // A member name is the sender's text: it is not repeated.
  EXPECT_EQ(problem(R"({"tags":{"secret-looking-name":null}})", [](const JsonFields& f) { f.StringMap("tags"); }),
            "tags has a member that is not a string");
}

}  // namespace
}  // namespace geoekm
