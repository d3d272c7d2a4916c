#include "vault_router/client/key_bundle_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/jwk_thumbprint.h"

namespace geoekm {
namespace {

using Poco::JSON::Object;

Status Bad(const std::string& what) { return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, what); }

Result<Object::Ptr> ParseObject(std::string_view json) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(std::string(json));
    auto obj = v.extract<Object::Ptr>();
    if (!obj) return Bad("not a JSON object");
    return obj;
  } catch (const std::exception&) {
    return Bad("not JSON");
  }
}

std::optional<std::int64_t> OptInt(const Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return std::nullopt;
  try {
    return o->getValue<std::int64_t>(key);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

KeyAttributes ParseAttributes(const Object::Ptr& a) {
  KeyAttributes out;
  if (!a) return out;
  if (a->has("enabled") && !a->isNull("enabled")) out.enabled = a->getValue<bool>("enabled");
  out.nbf = OptInt(a, "nbf");
  out.exp = OptInt(a, "exp");
  out.created = OptInt(a, "created");
  out.updated = OptInt(a, "updated");
  out.recovery_level = a->optValue<std::string>("recoveryLevel", "");
  return out;
}

std::map<std::string, std::string> ParseTags(const Object::Ptr& t) {
  std::map<std::string, std::string> out;
  if (!t) return out;
  for (const auto& [k, v] : *t) out[k] = v.toString();
  return out;
}

// https://{vault}/keys/{name}/{version} -> name, version
void SplitKid(const std::string& kid, std::string& name, std::string& version) {
  auto keys = kid.find("/keys/");
  if (keys == std::string::npos) return;
  std::string rest = kid.substr(keys + 6);
  auto slash = rest.find('/');
  name = rest.substr(0, slash);
  version = slash == std::string::npos ? "" : rest.substr(slash + 1);
}

std::string Stringify(const Object& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(o, out);
  return out.str();
}

Object::Ptr AttributesObject(const KeyAttributes& a) {
  Object::Ptr o = new Object;
  if (a.enabled) o->set("enabled", *a.enabled);
  if (a.nbf) o->set("nbf", *a.nbf);
  if (a.exp) o->set("exp", *a.exp);
  return o;
}

Poco::JSON::Array::Ptr StringArray(const std::vector<std::string>& v) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const auto& s : v) a->add(s);
  return a;
}

Object::Ptr TagsObject(const std::map<std::string, std::string>& tags) {
  Object::Ptr o = new Object;
  for (const auto& [k, v] : tags) o->set(k, v);
  return o;
}

}  // namespace

Result<KeyBundle> ParseKeyBundle(std::string_view json) {
  auto root = ParseObject(json);
  if (!root.ok()) return root.status();
  Object::Ptr key = (*root)->getObject("key");
  if (!key) return Bad("no 'key' object");
  KeyBundle b;
  b.kid = key->optValue<std::string>("kid", "");
  b.kty = key->optValue<std::string>("kty", "");
  b.n = key->optValue<std::string>("n", "");
  b.e = key->optValue<std::string>("e", "");
  if (b.kid.empty() || b.kty.empty() || b.n.empty() || b.e.empty()) return Bad("key lacks kid, kty, n or e");
  SplitKid(b.kid, b.name, b.version);
  if (auto ops = key->getArray("key_ops")) {
    for (std::size_t i = 0; i < ops->size(); ++i) b.key_ops.push_back(ops->getElement<std::string>(i));
  }
  b.attributes = ParseAttributes((*root)->getObject("attributes"));
  b.tags = ParseTags((*root)->getObject("tags"));
  auto modulus = Base64UrlDecode(b.n);
  if (!modulus.ok()) return Bad("modulus n is not base64url");
  std::size_t skip = 0;
  while (skip < modulus->size() && (*modulus)[skip] == 0) ++skip;
  b.key_size_bits = static_cast<int>((modulus->size() - skip) * 8);
  auto thumbprint = RsaJwkThumbprint(b.kty, b.n, b.e);
  if (!thumbprint.ok()) return thumbprint.status();
  b.thumbprint = *thumbprint;
  return b;
}

Result<KeyVersionPage> ParseKeyVersionPage(std::string_view json) {
  auto root = ParseObject(json);
  if (!root.ok()) return root.status();
  KeyVersionPage page;
  auto values = (*root)->getArray("value");
  if (!values) return Bad("no 'value' array");
  for (std::size_t i = 0; i < values->size(); ++i) {
    Object::Ptr item = values->getObject(static_cast<unsigned>(i));
    if (!item) return Bad("list entry is not an object");
    KeyVersionItem v;
    v.kid = item->optValue<std::string>("kid", "");
    std::string name;
    SplitKid(v.kid, name, v.version);
    if (v.version.empty()) return Bad("list entry kid has no version");
    v.attributes = ParseAttributes(item->getObject("attributes"));
    v.tags = ParseTags(item->getObject("tags"));
    page.items.push_back(std::move(v));
  }
  if ((*root)->has("nextLink") && !(*root)->isNull("nextLink")) {
    page.next_link = (*root)->getValue<std::string>("nextLink");
  }
  return page;
}

Result<std::string> ParseValueField(std::string_view json) {
  auto root = ParseObject(json);
  if (!root.ok()) return root.status();
  std::string value = (*root)->optValue<std::string>("value", "");
  if (value.empty()) return Bad("no 'value'");
  return value;
}

std::string KeyAttributesJson(const KeyAttributes& attributes) { return Stringify(*AttributesObject(attributes)); }

std::string ImportKeyJson(const PrivateRsaJwk& jwk, bool hsm, const KeyAttributes& attributes) {
  Object key;
  key.set("kty", jwk.kty);
  auto put = [&](const char* name, const SecureString& v) {
    if (!v.empty()) key.set(name, std::string(v.data(), v.size()));
  };
  put("n", jwk.n);
  put("e", jwk.e);
  put("d", jwk.d);
  put("p", jwk.p);
  put("q", jwk.q);
  put("dp", jwk.dp);
  put("dq", jwk.dq);
  put("qi", jwk.qi);
  key.set("key_ops", StringArray({"wrapKey", "unwrapKey"}));
  Object body;
  body.set("key", key);
  body.set("Hsm", hsm);  // capital H on the wire
  body.set("attributes", AttributesObject(attributes));
  return Stringify(body);
}

std::string CreateKeyJson(const KeyCreateOptions& options) {
  Object body;
  body.set("kty", options.kty);
  body.set("key_size", options.key_size);
  body.set("key_ops", StringArray(options.key_ops));
  body.set("attributes", AttributesObject(options.attributes));
  if (!options.tags.empty()) body.set("tags", TagsObject(options.tags));
  return Stringify(body);
}

std::string UpdateKeyJson(const KeyUpdateOptions& options) {
  Object body;
  if (options.key_ops) body.set("key_ops", StringArray(*options.key_ops));
  body.set("attributes", AttributesObject(options.attributes));
  if (options.tags) body.set("tags", TagsObject(*options.tags));
  return Stringify(body);
}

}  // namespace geoekm
