#include "keyvault/keys/key_bundle_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "keyvault/keys/azure_names.h"
#include "core/base64url.h"
#include "core/error_codes.h"
#include "core/json_fields.h"
#include "core/jwk_thumbprint.h"
#include "keyvault/keys/key_id.h"

namespace geoekm {
namespace {

using Poco::JSON::Object;

Status Bad(const std::string& what) { return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, what); }

// Reads what every entry carries; problems land in the fields' record.
KeyAttributes ReadAttributes(const JsonFields& a) {
  KeyAttributes out;
  out.enabled = a.Bool("enabled");
  out.nbf = a.Integer("nbf");
  out.exp = a.Integer("exp");
  out.created = a.Integer("created");
  out.updated = a.Integer("updated");
  out.recovery_level = a.String("recoveryLevel").value_or("");
  return out;
}

std::map<std::string, std::string> ReadTags(const JsonFields& entry) {
  return entry.StringMap("tags").value_or(std::map<std::string, std::string>{});
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
  JsonFields root(ParseJsonObject(json));
  if (!root.present()) return Bad("not a JSON object");
  JsonFields key = root.Object("key");
  KeyBundle b;
  const std::optional<std::string> kid = key.String("kid");
  b.kty = key.String("kty").value_or("");
  b.n = key.String("n").value_or("");
  b.e = key.String("e").value_or("");
  b.key_ops = key.Strings("key_ops").value_or(std::vector<std::string>{});
  b.attributes = ReadAttributes(root.Object("attributes"));
  b.tags = ReadTags(root);
  if (!root.problem().empty()) return Bad(root.problem());
  if (!key.present()) return Bad("no 'key' object");
  if (!kid) return Bad("key lacks kid");
  const std::optional<KeyId> id = ParseKid(*kid);
  if (!id) return Bad("kid is not https://{vault}/keys/{name}/{version}");
  b.kid = *kid;
  b.name = id->name;
  b.version = id->version;
  if (b.kty.empty()) return Bad("key lacks kty");
  if (b.kty != "RSA" && b.kty != "RSA-HSM") {
    // The vault's answer is fine but the key can never wrap for us: asking
    // again or elsewhere for this key will not help.
    const bool printable = b.kty.size() <= 16 && IsKeyName(b.kty);
    return Status(codes::kNotSupported, ErrorClass::kIntegrity,
                  "key type " + (printable ? b.kty : std::string("(unrecognised)")) +
                      " is not supported; RSA or RSA-HSM needed");
  }
  if (b.n.empty() || b.e.empty()) return Bad("key lacks n or e");
  auto modulus = Base64UrlDecode(b.n);
  if (!modulus.ok()) return Bad("modulus n is not base64url");
  std::size_t skip = 0;
  while (skip < modulus->size() && (*modulus)[skip] == 0) ++skip;
  if (skip == modulus->size()) return Bad("modulus n is zero");
  b.key_size_bits = static_cast<int>((modulus->size() - skip) * 8);
  auto thumbprint = RsaJwkThumbprint(b.kty, b.n, b.e);
  if (!thumbprint.ok()) return Bad(thumbprint.status().message());
  b.thumbprint = *thumbprint;
  return b;
}

Result<DeletedKeyBundle> ParseDeletedKeyBundle(std::string_view json) {
  auto key = ParseKeyBundle(json);
  if (!key.ok()) return key.status();
  JsonFields root(ParseJsonObject(json));
  DeletedKeyBundle out;
  out.key = std::move(key).value();
  out.recovery_id = root.String("recoveryId").value_or("");
  out.deleted_date = root.Integer("deletedDate");
  out.scheduled_purge_date = root.Integer("scheduledPurgeDate");
  if (!root.problem().empty()) return Bad(root.problem());
  return out;
}

Result<KeyVersionPage> ParseKeyVersionPage(std::string_view json) {
  JsonFields root(ParseJsonObject(json));
  if (!root.present()) return Bad("not a JSON object");
  const std::optional<std::vector<JsonFields>> entries = root.Objects("value");
  KeyVersionPage page;
  page.next_link = root.String("nextLink").value_or("");
  if (!entries) return Bad(root.problem().empty() ? "no 'value' array" : root.problem());
  for (const JsonFields& entry : *entries) {
    KeyVersionItem v;
    const std::optional<std::string> kid = entry.String("kid");
    v.attributes = ReadAttributes(entry.Object("attributes"));
    v.tags = ReadTags(entry);
    if (!root.problem().empty()) return Bad(root.problem());
    const std::optional<KeyId> id = kid ? ParseKid(*kid) : std::nullopt;
    if (!id) return Bad("list entry kid is not https://{vault}/keys/{name}/{version}");
    v.kid = *kid;
    v.version = id->version;
    page.items.push_back(std::move(v));
  }
  if (!root.problem().empty()) return Bad(root.problem());
  return page;
}

Result<std::string> ParseValueField(std::string_view json) {
  TopLevelString field = ParseTopLevelString(json, "value");
  if (!field.object) return Bad("not a JSON object");
  if (!field.problem.empty()) return Bad(field.problem);
  if (!field.value || field.value->empty()) return Bad("no 'value'");
  return std::move(*field.value);
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
