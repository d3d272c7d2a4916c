#include "vaultsim/key_entry_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>

#include "core/error_codes.h"

namespace geoekm::vaultsim {
namespace {

Status Corrupt(const std::string& what) {
  return Status(codes::kProviderError, ErrorClass::kIntegrity, "key record: " + what);
}

}  // namespace

Poco::JSON::Object::Ptr KeyEntryToJson(const KeyEntry& entry) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("name", entry.name);
  if (entry.deleted_date != 0) {
    o->set("deleted_date", entry.deleted_date);
    o->set("scheduled_purge_date", entry.scheduled_purge_date);
  }
  Poco::JSON::Array::Ptr versions = new Poco::JSON::Array;
  for (const KeyVersion& v : entry.versions) {
    Poco::JSON::Object::Ptr j = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    j->set("version", v.version);
    j->set("kty", v.kty);
    Poco::JSON::Array::Ptr ops = new Poco::JSON::Array;
    for (const std::string& op : v.key_ops) ops->add(op);
    j->set("key_ops", ops);
    j->set("enabled", v.attributes.enabled);
    if (v.attributes.nbf) j->set("nbf", *v.attributes.nbf);
    if (v.attributes.exp) j->set("exp", *v.attributes.exp);
    j->set("created", v.attributes.created);
    j->set("updated", v.attributes.updated);
    Poco::JSON::Object::Ptr tags = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, value] : v.tags) tags->set(k, value);
    j->set("tags", tags);
    SecureString pem = v.key->PrivatePem();
    j->set("private_key_pem", std::string(pem.begin(), pem.end()));
    versions->add(j);
  }
  o->set("versions", versions);
  return o;
}

Result<KeyEntry> KeyEntryFromJson(const Poco::JSON::Object& o) {
  KeyEntry entry;
  try {
    entry.name = o.getValue<std::string>("name");
    if (o.has("deleted_date")) {
      entry.deleted_date = o.getValue<std::int64_t>("deleted_date");
      entry.scheduled_purge_date = o.getValue<std::int64_t>("scheduled_purge_date");
    }
    Poco::JSON::Array::Ptr versions = o.getArray("versions");
    if (!versions || versions->size() == 0) return Corrupt("no versions");
    for (std::size_t i = 0; i < versions->size(); ++i) {
      Poco::JSON::Object::Ptr j = versions->getObject(static_cast<unsigned>(i));
      if (!j) return Corrupt("version is not an object");
      KeyVersion v;
      v.version = j->getValue<std::string>("version");
      v.kty = j->getValue<std::string>("kty");
      Poco::JSON::Array::Ptr ops = j->getArray("key_ops");
      for (std::size_t k = 0; ops && k < ops->size(); ++k) v.key_ops.push_back(ops->getElement<std::string>(static_cast<unsigned>(k)));
      v.attributes.enabled = j->getValue<bool>("enabled");
      if (j->has("nbf")) v.attributes.nbf = j->getValue<std::int64_t>("nbf");
      if (j->has("exp")) v.attributes.exp = j->getValue<std::int64_t>("exp");
      v.attributes.created = j->getValue<std::int64_t>("created");
      v.attributes.updated = j->getValue<std::int64_t>("updated");
      if (Poco::JSON::Object::Ptr tags = j->getObject("tags")) {
        for (const auto& [k, value] : *tags) v.tags[k] = value.convert<std::string>();
      }
      std::string pem = j->getValue<std::string>("private_key_pem");
      Result<std::shared_ptr<const RsaKey>> key = RsaKey::FromPrivatePem(pem);
      std::fill(pem.begin(), pem.end(), '\0');
      if (!key.ok()) return Corrupt(key.status().message());
      v.key = std::move(key).value();
      entry.versions.push_back(std::move(v));
    }
  } catch (const Poco::Exception& e) {
    return Corrupt(e.message());
  }
  return entry;
}

}  // namespace geoekm::vaultsim
