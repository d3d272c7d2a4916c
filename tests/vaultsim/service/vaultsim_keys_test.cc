// Keys data plane of a real vaultsim process: shapes, semantics and error
// bodies as in docs/ARCHITECTURE.md §Key paths and vaultsim/README.md.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <Poco/JSON/Array.h>

#include <ctime>
#include <regex>
#include <set>

#include "core/base64url.h"
#include "core/jwk_thumbprint.h"
#include "tests/vaultsim/service/vaultsim_test_env.h"

namespace geoekm::testing {
namespace {

using Poco::JSON::Object;

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string WrapBody(const std::string& alg, const std::string& value_b64) {
  return R"({"alg":")" + alg + R"(","value":")" + value_b64 + "\"}";
}

class KeysApiTest : public SharedVaultTest {};

TEST_F(KeysApiTest, CreateReturnsKeyBundleWithDefaults) {
  TestResponse r = Call("POST", "/keys/create-defaults/create", R"({"kty":"RSA","tags":{"purpose":"unit test"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.Header("x-ms-keyvault-region"), "eastus");
  EXPECT_TRUE(std::regex_match(r.Header("x-ms-request-id"), std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")));
  EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
  Object::Ptr key = r.Json()->getObject("key");
  ASSERT_TRUE(key);
  const std::string kid = key->getValue<std::string>("kid");
  EXPECT_TRUE(std::regex_match(kid, std::regex("https://geoekm-eastus\\.vault\\.test:[0-9]+/keys/create-defaults/[0-9a-f]{32}"))) << kid;
  EXPECT_EQ(key->getValue<std::string>("kty"), "RSA");
  EXPECT_EQ(key->getValue<std::string>("e"), "AQAB");
  const std::string n = key->getValue<std::string>("n");
  EXPECT_EQ(n.size(), 342u);  // 2048-bit modulus, unpadded base64url
  EXPECT_EQ(n.find_first_of("+/="), std::string::npos);
  EXPECT_FALSE(key->has("d"));
  Poco::JSON::Array::Ptr ops = key->getArray("key_ops");
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->size(), 6u);
  Object::Ptr attrs = r.Json()->getObject("attributes");
  EXPECT_TRUE(attrs->getValue<bool>("enabled"));
  EXPECT_EQ(attrs->getValue<std::string>("recoveryLevel"), "Recoverable+Purgeable");
  EXPECT_EQ(attrs->getValue<int>("recoverableDays"), 90);
  EXPECT_NEAR(static_cast<double>(attrs->getValue<std::int64_t>("created")), static_cast<double>(Now()), 30);
  EXPECT_EQ(r.Json()->getObject("tags")->getValue<std::string>("purpose"), "unit test");
}

TEST_F(KeysApiTest, CreateHonoursSizeKtyAndKeyOps) {
  TestResponse r = Call("POST", "/keys/create-hsm-3072/create",
                        R"({"kty":"RSA-HSM","key_size":3072,"key_ops":["wrapKey","unwrapKey"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr key = r.Json()->getObject("key");
  EXPECT_EQ(key->getValue<std::string>("kty"), "RSA-HSM");
  EXPECT_EQ(key->getValue<std::string>("n").size(), 512u);  // 384 bytes
  EXPECT_EQ(key->getArray("key_ops")->size(), 2u);
  EXPECT_FALSE(r.Json()->has("tags"));  // omitted when there are none
}

TEST_F(KeysApiTest, CreateRejectsBadParameters) {
  struct Case {
    std::string name, body;
  } cases[] = {{"bad-size", R"({"kty":"RSA","key_size":1024})"},
               {"bad-kty", R"({"kty":"EC","crv":"P-256"})"},
               {"no-kty", R"({"key_size":2048})"},
               {"bad-ops", R"({"kty":"RSA","key_ops":["fly"]})"},
               {"bad-exp", R"({"kty":"RSA","public_exponent":3})"},
               {"bad-json", R"({"kty":)"},
               {"bad_name", R"({"kty":"RSA"})"}};
  for (const Case& c : cases) {
    TestResponse r = Call("POST", "/keys/" + c.name + "/create", c.body);
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_EQ(r.ErrorCode(), "BadParameter") << c.name;
    EXPECT_FALSE(r.ErrorMessage().empty());
    EXPECT_EQ(Call("GET", "/keys/" + c.name).status, 404) << "nothing created for " << c.name;
  }
}

TEST_F(KeysApiTest, CreateOnExistingNameAddsAVersionAndGetReturnsLatest) {
  const std::string v1 = CreateKey("versioned");
  const std::string v2 = CreateKey("versioned");
  ASSERT_NE(v1, v2);
  EXPECT_TRUE(std::regex_match(v1, std::regex("[0-9a-f]{32}")));
  TestResponse latest = Call("GET", "/keys/versioned");
  ASSERT_EQ(latest.status, 200);
  EXPECT_EQ(latest.Json()->getObject("key")->getValue<std::string>("kid"), Kid("versioned", v2));
  TestResponse latest_slash = Call("GET", "/keys/versioned/");
  EXPECT_EQ(latest_slash.Json()->getObject("key")->getValue<std::string>("kid"), Kid("versioned", v2));
  TestResponse old = Call("GET", "/keys/VERSIONED/" + v1);  // names are case-insensitive
  ASSERT_EQ(old.status, 200);
  EXPECT_EQ(old.Json()->getObject("key")->getValue<std::string>("kid"), Kid("versioned", v1));
  EXPECT_NE(old.Json()->getObject("key")->getValue<std::string>("n"),
            latest.Json()->getObject("key")->getValue<std::string>("n"));
}

TEST_F(KeysApiTest, GetMissingKeyOrVersionIsKeyNotFound) {
  TestResponse r = Call("GET", "/keys/never-created");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.ErrorCode(), "KeyNotFound");
  EXPECT_EQ(r.ErrorMessage().rfind("A key with (name/id) never-created was not found in this key vault.", 0), 0u)
      << r.ErrorMessage();
  CreateKey("has-one-version");
  TestResponse v = Call("GET", "/keys/has-one-version/00000000000000000000000000000000");
  EXPECT_EQ(v.status, 404);
  EXPECT_EQ(v.ErrorCode(), "KeyNotFound");
}

TEST_F(KeysApiTest, ListVersionsPagesWithAbsoluteNextLink) {
  std::set<std::string> created;
  for (int i = 0; i < 3; ++i) created.insert(CreateKey("paged"));
  std::set<std::string> seen;
  std::string target = WithApi("/keys/paged/versions?maxresults=2");
  int pages = 0;
  while (!target.empty() && pages < 10) {
    TestResponse r = client_->Send("GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    Poco::JSON::Array::Ptr value = r.Json()->getArray("value");
    ASSERT_TRUE(value);
    EXPECT_LE(value->size(), 2u);
    for (std::size_t i = 0; i < value->size(); ++i) {
      std::string kid = value->getObject(static_cast<unsigned>(i))->getValue<std::string>("kid");
      seen.insert(kid.substr(kid.rfind('/') + 1));
      EXPECT_TRUE(value->getObject(static_cast<unsigned>(i))->has("attributes"));
    }
    target.clear();
    if (!r.Json()->isNull("nextLink")) {
      std::string next = r.Json()->getValue<std::string>("nextLink");
      const std::string prefix = vault_->base_url();
      ASSERT_EQ(next.rfind(prefix + "/keys/paged/versions?api-version=7.5&$skiptoken=", 0), 0u) << next;
      EXPECT_NE(next.find("maxresults=2"), std::string::npos);
      target = next.substr(prefix.size());
    }
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen, created);

  EXPECT_EQ(Call("GET", "/keys/paged/versions?maxresults=0").ErrorCode(), "BadParameter");
  EXPECT_EQ(Call("GET", "/keys/paged/versions?maxresults=26").status, 400);
  EXPECT_EQ(Call("GET", "/keys/paged/versions?$skiptoken=garbage").status, 400);
  TestResponse none = Call("GET", "/keys/no-such-key/versions");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.Json()->getArray("value")->size(), 0u);
}

TEST_F(KeysApiTest, ListKeysShowsKidsWithoutVersion) {
  CreateKey("listed-key");
  bool found = false;
  std::string target = WithApi("/keys?maxresults=25");
  for (int page = 0; page < 20 && !target.empty(); ++page) {
    TestResponse r = client_->Send("GET", target);
    ASSERT_EQ(r.status, 200);
    Poco::JSON::Array::Ptr value = r.Json()->getArray("value");
    for (std::size_t i = 0; i < value->size(); ++i) {
      if (value->getObject(static_cast<unsigned>(i))->getValue<std::string>("kid") == vault_->base_url() + "/keys/listed-key") found = true;
    }
    target = r.Json()->isNull("nextLink") ? "" : r.Json()->getValue<std::string>("nextLink").substr(vault_->base_url().size());
  }
  EXPECT_TRUE(found);
}

TEST_F(KeysApiTest, UpdateChangesOpsAttributesAndTags) {
  const std::string v = CreateKey("updatable");
  TestResponse r = Call("PATCH", "/keys/updatable/" + v,
                        R"({"key_ops":["decrypt","encrypt"],"attributes":{"enabled":false,"nbf":631180800,"exp":4102444800},"tags":{"a":"b"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()->getObject("key")->getArray("key_ops")->size(), 2u);
  Object::Ptr attrs = r.Json()->getObject("attributes");
  EXPECT_FALSE(attrs->getValue<bool>("enabled"));
  EXPECT_EQ(attrs->getValue<std::int64_t>("nbf"), 631180800);
  EXPECT_EQ(attrs->getValue<std::int64_t>("exp"), 4102444800);
  EXPECT_EQ(r.Json()->getObject("tags")->getValue<std::string>("a"), "b");

  // A disabled key cannot be read...
  TestResponse get = Call("GET", "/keys/updatable/" + v);
  EXPECT_EQ(get.status, 403);
  EXPECT_EQ(get.ErrorCode(), "Forbidden");
  EXPECT_EQ(get.InnerErrorCode(), "KeyDisabled");
  EXPECT_EQ(get.ErrorMessage(), "Operation get is not allowed on a disabled key.");
  // ...but can be re-enabled, with an empty version meaning the latest.
  ASSERT_EQ(Call("PATCH", "/keys/updatable/", R"({"attributes":{"enabled":true}})").status, 200);
  EXPECT_EQ(Call("GET", "/keys/updatable/" + v).status, 200);

  EXPECT_EQ(Call("PATCH", "/keys/updatable/" + v, R"({"attributes":{"exp":"soon"}})").status, 400);
  EXPECT_EQ(Call("PATCH", "/keys/nope/" + v, "{}").status, 404);
}

TEST_F(KeysApiTest, RotateAddsANewVersionWithTheSameShape) {
  const std::string v1 = CreateKey("rotated", R"({"kty":"RSA-HSM","key_ops":["wrapKey","unwrapKey"]})");
  TestResponse r = Call("POST", "/keys/rotated/rotate");
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr key = r.Json()->getObject("key");
  std::string kid = key->getValue<std::string>("kid");
  EXPECT_NE(kid, Kid("rotated", v1));
  EXPECT_EQ(key->getValue<std::string>("kty"), "RSA-HSM");
  EXPECT_EQ(key->getArray("key_ops")->size(), 2u);
  EXPECT_EQ(Call("GET", "/keys/rotated").Json()->getObject("key")->getValue<std::string>("kid"), kid);
  EXPECT_EQ(Call("POST", "/keys/not-there/rotate").status, 404);
}

TEST_F(KeysApiTest, WrapUnwrapEncryptDecryptRoundTripForEveryAlgorithm) {
  const std::string v = CreateKey("crypto-key");
  const std::string dek = Base64UrlEncode(std::string(32, '\x42'));
  for (const char* alg : {"RSA-OAEP", "RSA-OAEP-256", "RSA1_5"}) {
    for (const auto& [fwd, back] : {std::pair<const char*, const char*>{"wrapkey", "unwrapkey"}, {"encrypt", "decrypt"}}) {
      TestResponse w = Call("POST", "/keys/crypto-key/" + v + "/" + fwd, WrapBody(alg, dek));
      ASSERT_EQ(w.status, 200) << alg << " " << fwd << ": " << w.body;
      EXPECT_EQ(w.Json()->getValue<std::string>("kid"), Kid("crypto-key", v));
      const std::string ct = w.Json()->getValue<std::string>("value");
      EXPECT_EQ(Base64UrlDecode(ct)->size(), 256u);
      TestResponse u = Call("POST", "/keys/crypto-key/" + v + "/" + back, WrapBody(alg, ct));
      ASSERT_EQ(u.status, 200) << u.body;
      EXPECT_EQ(u.Json()->getValue<std::string>("value"), dek);
    }
  }
  // Empty version = latest; path segment case does not matter.
  EXPECT_EQ(Call("POST", "/keys/crypto-key//wrapKey", WrapBody("RSA-OAEP-256", dek)).status, 200);
}

TEST_F(KeysApiTest, ReturnedPublicKeyHasAValidThumbprint) {
  // n/e are minimal unpadded base64url, as RFC 7638 thumbprints need.
  TestResponse created = Call("POST", "/keys/public-check/create", R"({"kty":"RSA"})");
  Object::Ptr key = created.Json()->getObject("key");
  auto thumb = RsaJwkThumbprint("RSA", key->getValue<std::string>("n"), key->getValue<std::string>("e"));
  ASSERT_TRUE(thumb.ok());
  EXPECT_EQ(thumb->size(), 43u);
}

TEST_F(KeysApiTest, CryptoErrors) {
  const std::string v = CreateKey("crypto-errors", R"({"kty":"RSA","key_ops":["wrapKey","unwrapKey"]})");
  const std::string dek = Base64UrlEncode(std::string(32, 'x'));
  TestResponse ops = Call("POST", "/keys/crypto-errors/" + v + "/decrypt", WrapBody("RSA-OAEP", dek));
  EXPECT_EQ(ops.status, 403);
  EXPECT_EQ(ops.ErrorCode(), "Forbidden");
  EXPECT_EQ(ops.ErrorMessage(), "Operation decrypt is not permitted on this key.");
  EXPECT_EQ(ops.InnerErrorCode(), "KeyOperationForbidden");

  EXPECT_EQ(Call("POST", "/keys/crypto-errors/" + v + "/wrapkey", WrapBody("A256KW", dek)).ErrorCode(), "BadParameter");
  EXPECT_EQ(Call("POST", "/keys/crypto-errors/" + v + "/wrapkey", WrapBody("RSA-OAEP", "!!!")).status, 400);
  EXPECT_EQ(Call("POST", "/keys/crypto-errors/" + v + "/wrapkey", R"({"alg":"RSA-OAEP"})").status, 400);
  EXPECT_EQ(Call("POST", "/keys/crypto-errors/" + v + "/wrapkey",
                 WrapBody("RSA-OAEP", Base64UrlEncode(std::string(300, 'x')))).status, 400);
  EXPECT_EQ(Call("POST", "/keys/crypto-errors/" + v + "/unwrapkey",
                 WrapBody("RSA-OAEP", Base64UrlEncode(std::string(256, 'x')))).status, 400);
  EXPECT_EQ(Call("POST", "/keys/crypto-errors/00000000000000000000000000000000/wrapkey", WrapBody("RSA-OAEP", dek)).status, 404);
}

TEST_F(KeysApiTest, DisabledAndDateWindowRules) {
  const std::string v = CreateKey("dated");
  const std::string dek = Base64UrlEncode(std::string(32, 'd'));
  TestResponse wrapped = Call("POST", "/keys/dated/" + v + "/wrapkey", WrapBody("RSA-OAEP-256", dek));
  ASSERT_EQ(wrapped.status, 200);
  const std::string ct = wrapped.Json()->getValue<std::string>("value");
  VaultSimAdminClient admin = vault_->Admin();

  // Expired: wrap/encrypt refused, unwrap/decrypt still work.
  ASSERT_TRUE(admin.SetKeyAttributes("dated", v, std::nullopt, std::nullopt, Now() - 100)) << admin.last_response().body;
  TestResponse w = Call("POST", "/keys/dated/" + v + "/wrapkey", WrapBody("RSA-OAEP-256", dek));
  EXPECT_EQ(w.status, 403);
  EXPECT_EQ(w.InnerErrorCode(), "KeyExpired");
  EXPECT_EQ(w.ErrorMessage(), "Operation wrapKey is not allowed on an expired key.");
  EXPECT_EQ(Call("POST", "/keys/dated/" + v + "/encrypt", WrapBody("RSA-OAEP-256", dek)).status, 403);
  TestResponse u = Call("POST", "/keys/dated/" + v + "/unwrapkey", WrapBody("RSA-OAEP-256", ct));
  EXPECT_EQ(u.status, 200);
  EXPECT_EQ(u.Json()->getValue<std::string>("value"), dek);

  // Not yet valid: same split.
  ASSERT_TRUE(admin.SetKeyAttributes("dated", v, std::nullopt, Now() + 3600, Now() + 7200));
  EXPECT_EQ(Call("POST", "/keys/dated/" + v + "/wrapkey", WrapBody("RSA-OAEP-256", dek)).InnerErrorCode(), "KeyNotYetValid");
  EXPECT_EQ(Call("POST", "/keys/dated/" + v + "/decrypt", WrapBody("RSA-OAEP-256", ct)).status, 200);

  // Disabled: everything refused, including unwrap.
  ASSERT_TRUE(admin.SetKeyAttributes("dated", "", false, std::nullopt, std::nullopt));
  TestResponse d = Call("POST", "/keys/dated/" + v + "/unwrapkey", WrapBody("RSA-OAEP-256", ct));
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(d.InnerErrorCode(), "KeyDisabled");
  EXPECT_EQ(d.ErrorMessage(), "Operation unwrapKey is not allowed on a disabled key.");
}

TEST_F(KeysApiTest, ImportKeepsMaterialAndHonoursHsmFlag) {
  EVP_PKEY* raw = EVP_RSA_gen(2048);
  ASSERT_NE(raw, nullptr);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> local(raw, EVP_PKEY_free);
  auto part = [&](const char* name) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(local.get(), name, &bn);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_clear_free(bn);
    return Base64UrlEncode(bytes);
  };
  const std::string n = part(OSSL_PKEY_PARAM_RSA_N);
  const std::string jwk = R"({"kty":"RSA","key_ops":["wrapKey","unwrapKey"],"n":")" + n + R"(","e":")" +
                          part(OSSL_PKEY_PARAM_RSA_E) + R"(","d":")" + part(OSSL_PKEY_PARAM_RSA_D) + R"(","p":")" +
                          part(OSSL_PKEY_PARAM_RSA_FACTOR1) + R"(","q":")" + part(OSSL_PKEY_PARAM_RSA_FACTOR2) +
                          R"(","dp":")" + part(OSSL_PKEY_PARAM_RSA_EXPONENT1) + R"(","dq":")" +
                          part(OSSL_PKEY_PARAM_RSA_EXPONENT2) + R"(","qi":")" + part(OSSL_PKEY_PARAM_RSA_COEFFICIENT1) +
                          "\"}";
  TestResponse r = Call("PUT", "/keys/imported", R"({"Hsm":true,"key":)" + jwk + R"(,"tags":{"src":"byok"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  Object::Ptr key = r.Json()->getObject("key");
  EXPECT_EQ(key->getValue<std::string>("kty"), "RSA-HSM");
  EXPECT_EQ(key->getValue<std::string>("n"), n);
  EXPECT_FALSE(key->has("d"));
  EXPECT_EQ(key->getArray("key_ops")->size(), 2u);
  const std::string kid = key->getValue<std::string>("kid");

  // Wrap in the vault, unwrap locally with the original private key.
  const std::string dek(32, '\x07');
  TestResponse w = Call("POST", "/keys/imported/" + kid.substr(kid.rfind('/') + 1) + "/wrapkey",
                        WrapBody("RSA-OAEP-256", Base64UrlEncode(dek)));
  ASSERT_EQ(w.status, 200) << w.body;
  auto ct = Base64UrlDecode(w.Json()->getValue<std::string>("value"));
  ASSERT_TRUE(ct.ok());
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(local.get(), nullptr),
                                                                  EVP_PKEY_CTX_free);
  ASSERT_EQ(EVP_PKEY_decrypt_init(ctx.get()), 1);
  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING);
  EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256());
  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256());
  unsigned char out[512];
  std::size_t out_len = sizeof out;
  ASSERT_EQ(EVP_PKEY_decrypt(ctx.get(), out, &out_len, ct->data(), ct->size()), 1);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), out_len), dek);

  // Importing again adds a version; public-only or inconsistent keys are refused.
  EXPECT_EQ(Call("PUT", "/keys/imported", R"({"key":)" + jwk + "}").status, 200);
  EXPECT_EQ(Call("GET", "/keys/imported/versions").Json()->getArray("value")->size(), 2u);
  TestResponse missing = Call("PUT", "/keys/imported-bad", R"({"key":{"kty":"RSA","n":")" + n + R"(","e":"AQAB"}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.ErrorCode(), "BadParameter");
  std::string inconsistent = jwk;
  inconsistent.replace(inconsistent.find("\"n\":\"") + 5, 4, "AAAA");
  EXPECT_EQ(Call("PUT", "/keys/imported-bad", R"({"key":)" + inconsistent + "}").status, 400);
  EXPECT_EQ(Call("GET", "/keys/imported-bad").status, 404);
}

TEST_F(KeysApiTest, DeleteGetDeletedRecoverPurge) {
  const std::string v = CreateKey("doomed");
  TestResponse del = Call("DELETE", "/keys/doomed");
  ASSERT_EQ(del.status, 200) << del.body;
  Object::Ptr d = del.Json();
  EXPECT_EQ(d->getValue<std::string>("recoveryId"), vault_->base_url() + "/deletedkeys/doomed");
  const std::int64_t deleted = d->getValue<std::int64_t>("deletedDate");
  EXPECT_EQ(d->getValue<std::int64_t>("scheduledPurgeDate"), deleted + 90 * 86400);
  EXPECT_EQ(d->getObject("key")->getValue<std::string>("kid"), Kid("doomed", v));

  EXPECT_EQ(Call("GET", "/keys/doomed").status, 404);
  EXPECT_EQ(Call("DELETE", "/keys/doomed").status, 404);
  TestResponse reuse = Call("POST", "/keys/doomed/create", R"({"kty":"RSA"})");
  EXPECT_EQ(reuse.status, 409);
  EXPECT_EQ(reuse.ErrorCode(), "Conflict");
  EXPECT_EQ(reuse.InnerErrorCode(), "ObjectIsDeletedButRecoverable");

  TestResponse got = Call("GET", "/deletedkeys/doomed");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()->getValue<std::string>("recoveryId"), vault_->base_url() + "/deletedkeys/doomed");
  TestResponse listed = Call("GET", "/deletedkeys");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find("/deletedkeys/doomed"), std::string::npos);

  TestResponse rec = Call("POST", "/deletedkeys/doomed/recover");
  ASSERT_EQ(rec.status, 200);
  EXPECT_EQ(rec.Json()->getObject("key")->getValue<std::string>("kid"), Kid("doomed", v));
  EXPECT_EQ(Call("GET", "/keys/doomed/" + v).status, 200);
  EXPECT_EQ(Call("POST", "/deletedkeys/doomed/recover").ErrorMessage(), "Deleted Key not found: doomed");

  ASSERT_EQ(Call("DELETE", "/keys/doomed").status, 200);
  TestResponse purge = Call("DELETE", "/deletedkeys/doomed");
  EXPECT_EQ(purge.status, 204);
  EXPECT_TRUE(purge.body.empty());
  TestResponse gone = Call("GET", "/deletedkeys/doomed");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.ErrorCode(), "KeyNotFound");
  EXPECT_EQ(gone.ErrorMessage(), "Deleted Key not found: doomed");
  EXPECT_EQ(Call("DELETE", "/deletedkeys/doomed").status, 404);
  EXPECT_EQ(Call("POST", "/keys/doomed/create", R"({"kty":"RSA"})").status, 200);  // name free again
}

TEST_F(KeysApiTest, BackupRestoreKeepsVersionsAndRefusesConflicts) {
  const std::string v1 = CreateKey("backed-up");
  const std::string v2 = CreateKey("backed-up");
  TestResponse b = Call("POST", "/keys/backed-up/backup");
  ASSERT_EQ(b.status, 200);
  const std::string blob = b.Json()->getValue<std::string>("value");
  EXPECT_EQ(blob.find_first_of("+/="), std::string::npos);
  auto raw = Base64UrlDecode(blob);
  ASSERT_TRUE(raw.ok());
  std::string raw_text(raw->begin(), raw->end());
  EXPECT_EQ(raw_text.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(raw_text.find(v1), std::string::npos);

  const std::string restore = R"({"value":")" + blob + "\"}";
  TestResponse conflict = Call("POST", "/keys/restore", restore);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.ErrorCode(), "Conflict");
  EXPECT_EQ(conflict.ErrorMessage().rfind("There was a conflict restoring the key '" + Kid("backed-up", v2) + "'.", 0), 0u)
      << conflict.ErrorMessage();

  ASSERT_EQ(Call("DELETE", "/keys/backed-up").status, 200);
  EXPECT_EQ(Call("POST", "/keys/restore", restore).status, 409);  // soft-deleted name is taken too
  ASSERT_EQ(Call("DELETE", "/deletedkeys/backed-up").status, 204);
  TestResponse ok = Call("POST", "/keys/restore", restore);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()->getObject("key")->getValue<std::string>("kid"), Kid("backed-up", v2));
  EXPECT_EQ(Call("GET", "/keys/backed-up/" + v1).status, 200);

  TestResponse garbage = Call("POST", "/keys/restore", R"({"value":"Z2FyYmFnZQ"})");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(garbage.ErrorCode(), "Malformed backup blob");
  EXPECT_EQ(garbage.ErrorMessage(), "Backup blob contains invalid or corrupt version.");
  EXPECT_EQ(Call("POST", "/keys/restore", R"({"value":"***"})").ErrorCode(), "Malformed backup blob");
  EXPECT_EQ(Call("POST", "/keys/restore", "{}").ErrorCode(), "BadParameter");
  EXPECT_EQ(Call("POST", "/keys/missing-key/backup").status, 404);
}

TEST_F(KeysApiTest, ApiVersionIsRequiredAndChecked) {
  TestResponse missing = client_->Send("GET", "/keys/x");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.ErrorCode(), "BadParameter");
  EXPECT_EQ(missing.ErrorMessage(), "The 'api-version' query parameter is missing.");
  TestResponse old = client_->Send("GET", "/keys/x?api-version=7.2");
  EXPECT_EQ(old.status, 400);
  EXPECT_NE(old.ErrorMessage().find("(7.2) is not recognized"), std::string::npos);
  for (const char* v : {"7.3", "7.4", "7.6-preview.2", "2025-07-01"}) {
    EXPECT_EQ(client_->Send("GET", std::string("/keys/x?api-version=") + v).status, 404) << v;
  }
  EXPECT_EQ(Call("GET", "/secrets/x").ErrorCode(), "NotFound");
}

TEST_F(KeysApiTest, EchoesClientRequestIdAndReusesTheConnection) {
  TestResponse r = client_->Send("GET", WithApi("/keys/x"), "", {{"x-ms-client-request-id", "abc-123"}});
  EXPECT_EQ(r.Header("x-ms-client-request-id"), "abc-123");
  const std::int64_t before = vault_->Admin().ConnectionsAccepted();
  for (int i = 0; i < 5; ++i) ASSERT_NE(Call("GET", "/keys/x").status, 0);
  EXPECT_EQ(vault_->Admin().ConnectionsAccepted(), before);  // keep-alive: no new TCP connection
  EXPECT_EQ(client_->connections_opened(), 1u);
}

}  // namespace
}  // namespace geoekm::testing
