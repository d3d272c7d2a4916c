#include "vaultsim/key_bundle_json.h"

#include <Poco/JSON/Array.h>

#include <initializer_list>

#include "core/base64url.h"

namespace geoekm::vaultsim {
namespace {

using Poco::JSON::Object;

Object::Ptr NewObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Object::Ptr AttributesJson(const KeyAttributes& a, int recoverable_days) {
  Object::Ptr o = NewObject();
  o->set("enabled", a.enabled);
  if (a.nbf) o->set("nbf", *a.nbf);
  if (a.exp) o->set("exp", *a.exp);
  o->set("created", a.created);
  o->set("updated", a.updated);
  o->set("recoveryLevel", "Recoverable+Purgeable");
  o->set("recoverableDays", recoverable_days);
  return o;
}

void SetTags(Object& o, const std::map<std::string, std::string>& tags) {
  if (tags.empty()) return;  // the service omits "tags" when there are none
  Object::Ptr t = NewObject();
  for (const auto& [k, v] : tags) t->set(k, v);
  o.set("tags", t);
}

// A deleted key's object: its recovery id and dates, then the named members
// of `live` (the bundle or list item of its latest version) that it has.
Object::Ptr DeletedJson(const std::string& base, const KeyEntry& entry, const Object::Ptr& live,
                        std::initializer_list<const char*> members) {
  Object::Ptr o = NewObject();
  o->set("recoveryId", base + "/deletedkeys/" + entry.name);
  o->set("deletedDate", entry.deleted_date);
  o->set("scheduledPurgeDate", entry.scheduled_purge_date);
  for (const char* name : members) {
    if (live->has(name)) o->set(name, live->get(name));
  }
  return o;
}

}  // namespace

std::string KeyId(const std::string& base, const std::string& name, const std::string& version) {
  return version.empty() ? base + "/keys/" + name : base + "/keys/" + name + "/" + version;
}

Object::Ptr KeyBundleJson(const std::string& base, const std::string& name, const KeyVersion& v,
                          int recoverable_days) {
  Object::Ptr key = NewObject();
  key->set("kid", KeyId(base, name, v.version));
  key->set("kty", v.kty);
  Poco::JSON::Array::Ptr ops = new Poco::JSON::Array;
  for (const std::string& op : v.key_ops) ops->add(op);
  key->set("key_ops", ops);
  key->set("n", Base64UrlEncode(v.key->modulus()));
  key->set("e", Base64UrlEncode(v.key->public_exponent()));
  Object::Ptr o = NewObject();
  o->set("key", key);
  o->set("attributes", AttributesJson(v.attributes, recoverable_days));
  SetTags(*o, v.tags);
  return o;
}

Object::Ptr DeletedKeyBundleJson(const std::string& base, const KeyEntry& entry, int recoverable_days) {
  return DeletedJson(base, entry, KeyBundleJson(base, entry.name, entry.latest(), recoverable_days),
                     {"key", "attributes", "tags"});
}

Object::Ptr KeyItemJson(const std::string& base, const std::string& name, const std::string& version,
                        const KeyVersion& v, int recoverable_days) {
  Object::Ptr o = NewObject();
  o->set("kid", KeyId(base, name, version));
  o->set("attributes", AttributesJson(v.attributes, recoverable_days));
  SetTags(*o, v.tags);
  return o;
}

Object::Ptr DeletedKeyItemJson(const std::string& base, const KeyEntry& entry, int recoverable_days) {
  return DeletedJson(base, entry, KeyItemJson(base, entry.name, "", entry.latest(), recoverable_days),
                     {"kid", "attributes", "tags"});
}

}  // namespace geoekm::vaultsim
