// Property tests of the parsers of vault answers: starting from recorded
// shapes (docs/ARCHITECTURE.md §Key JSON), every field in turn is made null,
// a number, a string, an array, an object, a megabyte string, a deep nesting,
// or deleted (tests/support/json_mutations.h). Whatever the body, a parser
// returns a value or an error Status and never throws; a value is sane; a
// field of the wrong type is an error; absent optional fields are not.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "keyvault/keys/azure_names.h"
#include "core/error_codes.h"
#include "tests/support/json_mutations.h"
#include "keyvault/keys/key_bundle_json.h"
#include "keyvault/keys/key_id.h"
#include "keyvault/keys/vault_error.h"

namespace geoekm {
namespace {

using testing::JsonMutation;
using testing::MutantKind;

// RFC 7638's example modulus, as in the spec's GET key answer.
constexpr char kModulus[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj"
    "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQ"
    "vRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK"
    "nqDKgw";

std::string RecordedBundle() {
  return std::string(R"({"key":{"kid":"https://myvault.vault.azure.net/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71",)") +
         R"("kty":"RSA","key_ops":["wrapKey","unwrapKey"],"n":")" + kModulus + R"(","e":"AQAB"},)" +
         R"("attributes":{"enabled":true,"nbf":1493942000,"exp":1893456000,"created":1493942451,"updated":1493942451,)"
         R"("recoveryLevel":"Recoverable+Purgeable","recoverableDays":90,"exportable":false},)"
         R"("tags":{"purpose":"unit test","owner":"dba"}})";
}

constexpr char kRecordedPage[] =
    R"({"value":[{"kid":"https://myvault.vault.azure.net/keys/listkeyversionstest/7c9dc6775d0e4177827c4f98f482fc12",)"
    R"("attributes":{"enabled":true,"created":1493937851,"updated":1493937851,"recoveryLevel":"Recoverable+Purgeable"},)"
    R"("tags":{"purpose":"unit test"},"managed":false},)"
    R"({"kid":"https://myvault.vault.azure.net/keys/listkeyversionstest/0698c2156c1a4e1da5b6bab6f6422fd6",)"
    R"("attributes":{"enabled":false,"created":1493937900,"updated":1493937900}}],)"
    R"("nextLink":"https://myvault.vault.azure.net:443/keys/listkeyversionstest/versions?api-version=7.2&$skiptoken=eyJOZXh0&maxresults=2"})";

constexpr char kRecordedWrapResult[] =
    R"({"kid":"https://myvault.vault.azure.net/keys/sdktestkey/0698c2156c1a4e1da5b6bab6f6422fd6",)"
    R"("value":"khwIe26cGlq1yP8i0cbKdi1zqbgKgdiVIYuDHkgQ1mtgvJLkU7CWyZoZCd2CsFcgzAzdY68q9cFv5YHW9M6jQ8MuFYgX0y2X6xU"})";

constexpr char kRecordedError[] =
    R"({"error":{"code":"Forbidden","message":"The user, group or application 'appid=5a1d;oid=5a1d' does not have )"
    R"(keys unwrapKey permission on key vault 'v;location=eastus'.","innererror":{"code":"AccessDenied",)"
    R"("innererror":{"code":"KeyVaultAccessDenied"}}}})";

enum class Expect { kOk, kError, kEither };

// A field that must hold `ok_kind` (absent or null allowed when optional).
Expect Typed(MutantKind kind, std::set<MutantKind> ok_kinds, bool optional = true) {
  if (optional && (kind == MutantKind::kNull || kind == MutantKind::kDeleted)) return Expect::kOk;
  return ok_kinds.count(kind) ? Expect::kOk : Expect::kError;
}

// Rules shared by bundles and list entries (`field` relative to the entry).
std::optional<Expect> EntryRule(const std::string& field, MutantKind kind) {
  const std::set<MutantKind> kObjects = {MutantKind::kEmptyObject, MutantKind::kObject};
  if (field == "attributes") return Typed(kind, kObjects);  // every attribute is optional
  if (field == "attributes.enabled") return Typed(kind, {MutantKind::kBool});
  for (const char* time : {"attributes.nbf", "attributes.exp", "attributes.created", "attributes.updated"}) {
    if (field == time) return Typed(kind, {MutantKind::kWholeNumber});
  }
  if (field == "attributes.recoveryLevel") return Typed(kind, {MutantKind::kString});
  if (field == "tags") return Typed(kind, {MutantKind::kEmptyObject});  // members must be strings
  if (field.starts_with("tags.")) return Typed(kind, {MutantKind::kString, MutantKind::kDeleted}, false);
  return std::nullopt;
}

Expect BundleRule(const JsonMutation& m) {
  if (m.kind == MutantKind::kWholeBody || m.kind == MutantKind::kTooDeep) return Expect::kError;
  if (m.where == "key") return Expect::kError;
  for (const char* required : {"key.kid", "key.kty", "key.n", "key.e"}) {
    // A string may still be a usable value ("1700000000" is base64url).
    if (m.where == required) return m.kind == MutantKind::kString ? Expect::kEither : Expect::kError;
  }
  if (m.where == "key.key_ops") return Typed(m.kind, {MutantKind::kEmptyArray});
  if (m.where.starts_with("key.key_ops[")) return Typed(m.kind, {MutantKind::kString, MutantKind::kDeleted}, false);
  if (auto rule = EntryRule(m.where, m.kind)) return *rule;
  return Expect::kOk;  // fields geoekm does not read
}

std::string Trace(const JsonMutation& m) { return "'" + m.where + "' -> " + m.what; }

void ExpectOutcome(Expect expect, const Status& status) {
  if (expect == Expect::kOk) {
    EXPECT_TRUE(status.ok()) << status.ToString();
  } else if (expect == Expect::kError) {
    EXPECT_FALSE(status.ok());
  }
}

// A failure from a parser is a clear, bounded message (it never echoes a
// megabyte of the body) of the garbage class the client maps to its parser code.
void ExpectGarbageStatus(const Status& s) {
  EXPECT_EQ(s.code(), codes::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.error_class(), ErrorClass::kInvalidInput) << s.ToString();
  EXPECT_FALSE(s.message().empty());
  EXPECT_LT(s.message().size(), 200u) << s.message().substr(0, 300);
}

TEST(VaultAnswerMutation, KeyBundleNeverThrowsAndIsSaneOrRejected) {
  const Result<KeyBundle> original = ParseKeyBundle(RecordedBundle());
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  const std::vector<JsonMutation> mutations = testing::MutationsOf(RecordedBundle());
  ASSERT_GT(mutations.size(), 500u);
  int accepted = 0;
  for (const JsonMutation& m : mutations) {
    SCOPED_TRACE(Trace(m));
    std::optional<Result<KeyBundle>> r;
    EXPECT_NO_THROW(r.emplace(ParseKeyBundle(m.body)));
    if (!r) continue;
    ExpectOutcome(BundleRule(m), r->status());
    if (!r->ok()) {
      if (m.where == "key.kty" && r->status().code() == codes::kNotSupported) continue;  // "x" is a key type
      ExpectGarbageStatus(r->status());
      continue;
    }
    ++accepted;
    const KeyBundle& b = r->value();
    EXPECT_TRUE(b.kid.starts_with("https://")) << b.kid.substr(0, 100);
    EXPECT_TRUE(IsKeyName(b.name)) << b.name.substr(0, 100);
    EXPECT_TRUE(IsKeyVersion(b.version)) << b.version.substr(0, 100);
    EXPECT_TRUE(b.kty == "RSA" || b.kty == "RSA-HSM") << b.kty.substr(0, 100);
    EXPECT_FALSE(b.e.empty());
    EXPECT_GT(b.key_size_bits, 0);
    EXPECT_EQ(b.thumbprint.size(), 43u);
    if (m.where != "key.n" && m.where != "key.e") {
      EXPECT_EQ(b.thumbprint, original->thumbprint);
      EXPECT_EQ(b.key_size_bits, 2048);
    }
    // An optional field made null or deleted reads as absent.
    if (m.kind == MutantKind::kNull || m.kind == MutantKind::kDeleted) {
      if (m.where == "attributes.exp") {
        EXPECT_FALSE(b.attributes.exp.has_value());
      } else if (m.where == "attributes.enabled") {
        EXPECT_FALSE(b.attributes.enabled.has_value());
      } else if (m.where == "key.key_ops") {
        EXPECT_TRUE(b.key_ops.empty());
      } else if (m.where == "tags") {
        EXPECT_TRUE(b.tags.empty());
      }
    }
  }
  EXPECT_GT(accepted, 50);  // the rules above do let valid variants through
}

TEST(VaultAnswerMutation, VersionPageNeverThrowsAndIsSaneOrRejected) {
  ASSERT_TRUE(ParseKeyVersionPage(kRecordedPage).ok());
  for (const JsonMutation& m : testing::MutationsOf(kRecordedPage)) {
    SCOPED_TRACE(Trace(m));
    std::optional<Result<KeyVersionPage>> r;
    EXPECT_NO_THROW(r.emplace(ParseKeyVersionPage(m.body)));
    if (!r) continue;
    Expect expect = Expect::kOk;
    const std::string entry = m.where.starts_with("value[") ? m.where.substr(m.where.find(']') + 1) : "";
    if (m.kind == MutantKind::kWholeBody || m.kind == MutantKind::kTooDeep) {
      expect = Expect::kError;
    } else if (m.where == "value") {
      expect = m.kind == MutantKind::kEmptyArray ? Expect::kOk : Expect::kError;
    } else if (m.where == "nextLink") {
      expect = Typed(m.kind, {MutantKind::kString});
    } else if (m.where.starts_with("value[") && entry.empty()) {
      expect = m.kind == MutantKind::kDeleted ? Expect::kOk : Expect::kError;  // an entry must be an object with a kid
    } else if (entry == ".kid") {
      expect = m.kind == MutantKind::kString ? Expect::kEither : Expect::kError;
    } else if (entry.starts_with(".")) {
      expect = EntryRule(entry.substr(1), m.kind).value_or(Expect::kOk);
    }
    ExpectOutcome(expect, r->status());
    if (!r->ok()) {
      ExpectGarbageStatus(r->status());
      continue;
    }
    for (const KeyVersionItem& item : r->value().items) {
      EXPECT_TRUE(IsKeyVersion(item.version)) << item.version.substr(0, 100);
      EXPECT_TRUE(item.kid.starts_with("https://")) << item.kid.substr(0, 100);
    }
  }
}

TEST(VaultAnswerMutation, OperationResultNeverThrowsAndHasAValueOrIsRejected) {
  ASSERT_TRUE(ParseValueField(kRecordedWrapResult).ok());
  for (const JsonMutation& m : testing::MutationsOf(kRecordedWrapResult)) {
    SCOPED_TRACE(Trace(m));
    std::optional<Result<std::string>> r;
    EXPECT_NO_THROW(r.emplace(ParseValueField(m.body)));
    if (!r) continue;
    Expect expect = Expect::kOk;  // kid is not read
    if (m.kind == MutantKind::kWholeBody || m.kind == MutantKind::kTooDeep) expect = Expect::kError;
    if (m.where == "value") expect = m.kind == MutantKind::kString ? Expect::kEither : Expect::kError;
    ExpectOutcome(expect, r->status());
    if (r->ok()) {
      EXPECT_FALSE(r->value().empty());
    } else {
      ExpectGarbageStatus(r->status());
    }
  }
}

TEST(VaultAnswerMutation, ErrorBodyNeverThrowsAndKeepsTheStatusMapping) {
  struct Case {
    int status;
    int code;
    ErrorClass cls;
  } cases[] = {{403, codes::kHttpForbidden, ErrorClass::kForbidden},
               {404, codes::kHttpNotFound, ErrorClass::kNotFound},
               {429, codes::kHttpThrottled, ErrorClass::kThrottled},
               {500, codes::kHttpServerError, ErrorClass::kTransient}};
  for (const JsonMutation& m : testing::MutationsOf(kRecordedError)) {
    SCOPED_TRACE(Trace(m));
    VaultErrorBody body;
    EXPECT_NO_THROW(body = ParseVaultErrorBody(m.body));
    // A code of another type is no code at all, not its stringification.
    if (m.where == "error.code" && m.kind != MutantKind::kString) {
      EXPECT_TRUE(body.code.empty()) << body.code;
    } else if (m.where == "error.innererror.innererror.code" && m.kind != MutantKind::kString &&
               m.kind != MutantKind::kTooDeep) {
      EXPECT_EQ(body.inner_code, "AccessDenied");
    }
    for (const Case& c : cases) {
      HttpResponse response;
      response.status = c.status;
      response.body = m.body;
      std::optional<Status> s;
      EXPECT_NO_THROW(s.emplace(VaultErrorFromResponse(response, "eastus", "unwrapkey", "/keys/k/v1/unwrapkey")));
      if (!s) continue;
      EXPECT_EQ(s->code(), c.code);
      EXPECT_EQ(s->error_class(), c.cls);
      // Bounded: a megabyte message or code is cut, not carried along.
      EXPECT_LT(s->ToString().size(), 2000u);
    }
  }
}

TEST(VaultAnswerMutation, NestingDeeperThanTheCapIsRefusedWithoutRecursion) {
  // 100k levels would overflow the stack of a recursive parser; the parser
  // refuses them at the cap instead, and a moderate nesting still parses.
  for (std::size_t depth : {100000u, 1000000u}) {
    std::optional<Result<KeyBundle>> r;
    EXPECT_NO_THROW(r.emplace(ParseKeyBundle(testing::NestedArrays(depth))));
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->ok());
    const std::string nested_key = R"({"key":)" + testing::NestedArrays(depth, "1") + "}";
    EXPECT_NO_THROW(r.emplace(ParseKeyBundle(nested_key)));
    EXPECT_FALSE(r->ok());
    EXPECT_NO_THROW(ParseVaultErrorBody(R"({"error":)" + testing::NestedArrays(depth) + "}"));
  }
  std::string inner_errors = R"({"code":"Innermost"})";
  for (int i = 0; i < 50; ++i) inner_errors = R"({"code":"Level","innererror":)" + inner_errors + "}";
  EXPECT_EQ(ParseVaultErrorBody(R"({"error":)" + inner_errors + "}").inner_code, "Innermost");
}

}  // namespace
}  // namespace geoekm
