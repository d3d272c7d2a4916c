#include "vaultsim/keys_api.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "core/base64url.h"
#include "vaultsim/backup_blob.h"
#include "vaultsim/json_text.h"
#include "vaultsim/key_bundle_json.h"
#include "vaultsim/key_entry_json.h"
#include "vaultsim/random_hex.h"

namespace geoekm::vaultsim {
namespace {

using Poco::JSON::Object;

constexpr int kMaxTags = 15;
constexpr int kMaxResults = 25;

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string NewVersionId() { return RandomHex(16); }

ApiResponse Json(int status, const Object::Ptr& o) {
  ApiResponse r;
  r.status = status;
  r.body = ToJsonText(o);
  return r;
}

ApiResponse BadParameter(const std::string& message) { return ErrorResponse(400, "BadParameter", message); }

ApiResponse KeyNotFound(const std::string& name_or_id) {
  return ErrorResponse(404, "KeyNotFound",
                       "A key with (name/id) " + name_or_id +
                           " was not found in this key vault. If you recently deleted this key you may be able to "
                           "recover it using the correct recovery command. For help resolving this issue, please see "
                           "https://go.microsoft.com/fwlink/?linkid=2125182");
}

ApiResponse DeletedKeyNotFound(const std::string& name) {
  return ErrorResponse(404, "KeyNotFound", "Deleted Key not found: " + name);
}

ApiResponse StoreFailure(const Status& s) {
  return ErrorResponse(500, "InternalServerError", "vaultsim could not persist its state: " + s.message());
}

// Runs `change` as one store update: the response it sets, or the store's
// failure to persist it.
ApiResponse Updated(KeyStore* store, const std::function<bool(VaultState&, ApiResponse&)>& change) {
  ApiResponse response;
  Status s = store->Update([&](VaultState& state) { return change(state, response); });
  if (!s.ok()) return StoreFailure(s);
  return response;
}

ApiResponse KeyGenFailure() { return ErrorResponse(500, "InternalServerError", "vaultsim could not generate the key."); }

bool ValidKeyName(const std::string& name) {
  static const std::regex kPattern("^[0-9a-zA-Z-]{1,127}$");
  return std::regex_match(name, kPattern);
}

const std::vector<std::string>& DefaultKeyOps() {
  static const std::vector<std::string> kOps = {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"};
  return kOps;
}

// Parses a request body that must be a JSON object (an empty body is {} when
// allow_empty).
Object::Ptr ParseObject(const std::string& body, bool allow_empty) {
  if (body.empty() && allow_empty) return new Object;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(body);
    if (v.type() != typeid(Object::Ptr)) return nullptr;
    return v.extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Reads optional "key_ops"; returns an error message or "".
std::string ReadKeyOps(const Object& o, std::optional<std::vector<std::string>>* out) {
  if (!o.has("key_ops") || o.isNull("key_ops")) return "";
  Poco::JSON::Array::Ptr ops = o.getArray("key_ops");
  if (!ops) return "The 'key_ops' property must be an array of strings.";
  static const std::set<std::string> kValid = {"encrypt", "decrypt", "sign",   "verify",
                                               "wrapKey", "unwrapKey", "import", "export"};
  std::vector<std::string> list;
  for (std::size_t i = 0; i < ops->size(); ++i) {
    Poco::Dynamic::Var v = ops->get(static_cast<unsigned>(i));
    if (!v.isString() || kValid.count(v.extract<std::string>()) == 0) {
      return "Invalid key operation '" + v.convert<std::string>() +
             "'. Valid values: encrypt, decrypt, sign, verify, wrapKey, unwrapKey, import, export.";
    }
    if (std::find(list.begin(), list.end(), v.extract<std::string>()) == list.end()) list.push_back(v.extract<std::string>());
  }
  *out = std::move(list);
  return "";
}

std::string ReadOptionalTime(const Object& attrs, const char* name, bool allow_null_clear, bool* present,
                             std::optional<std::int64_t>* out) {
  if (!attrs.has(name)) return "";
  *present = true;
  if (attrs.isNull(name)) {
    if (!allow_null_clear) return "";
    out->reset();
    return "";
  }
  Poco::Dynamic::Var v = attrs.get(name);
  if (!v.isInteger()) return std::string("The '") + name + "' attribute must be an integer (unix seconds).";
  *out = v.convert<std::int64_t>();
  return "";
}

// Applies "attributes" (enabled, nbf, exp) to `a`; error message or "".
std::string ApplyAttributes(const Object& o, KeyAttributes* a) {
  if (!o.has("attributes") || o.isNull("attributes")) return "";
  Object::Ptr attrs = o.getObject("attributes");
  if (!attrs) return "The 'attributes' property must be an object.";
  if (attrs->has("enabled") && !attrs->isNull("enabled")) {
    Poco::Dynamic::Var v = attrs->get("enabled");
    if (!v.isBoolean()) return "The 'enabled' attribute must be true or false.";
    a->enabled = v.extract<bool>();
  }
  bool present = false;
  std::string err = ReadOptionalTime(*attrs, "nbf", true, &present, &a->nbf);
  if (err.empty()) err = ReadOptionalTime(*attrs, "exp", true, &present, &a->exp);
  if (!err.empty()) return err;
  if (attrs->has("exportable") && attrs->get("exportable").isBoolean() && attrs->get("exportable").extract<bool>()) {
    return "AKV.SKR.1004: Exportable keys must have release policy.";
  }
  return "";
}

std::string ReadTags(const Object& o, std::optional<std::map<std::string, std::string>>* out) {
  if (!o.has("tags") || o.isNull("tags")) return "";
  Object::Ptr tags = o.getObject("tags");
  if (!tags) return "The 'tags' property must be an object.";
  if (tags->size() > static_cast<std::size_t>(kMaxTags)) return "A key can have at most 15 tags.";
  std::map<std::string, std::string> map;
  for (const auto& [k, v] : *tags) {
    if (!v.isString()) return "Tag values must be strings.";
    std::string value = v.extract<std::string>();
    if (k.size() > 256 || value.size() > 256) return "Tag names and values are limited to 256 characters.";
    map[k] = value;
  }
  *out = std::move(map);
  return "";
}

bool ValidKeySize(int bits) { return bits == 2048 || bits == 3072 || bits == 4096; }

// Decodes a base64url JWK member; nullopt when absent or malformed.
std::optional<Bytes> DecodeMember(const Object& jwk, const char* name) {
  if (!jwk.has(name) || !jwk.get(name).isString()) return std::nullopt;
  Result<Bytes> b = Base64UrlDecode(jwk.get(name).extract<std::string>());
  if (!b.ok()) return std::nullopt;
  return std::move(b).value();
}

struct PageRequest {
  std::size_t offset = 0;
  std::size_t max = kMaxResults;
  std::string error;
};

PageRequest ReadPaging(const ApiRequest& request) {
  PageRequest page;
  if (auto it = request.query.find("maxresults"); it != request.query.end()) {
    int n = 0;
    std::istringstream in(it->second);
    if (!(in >> n) || !in.eof() || n < 1 || n > kMaxResults) {
      page.error = "The maxresults parameter must be an integer between 1 and 25.";
      return page;
    }
    page.max = static_cast<std::size_t>(n);
  }
  if (auto it = request.query.find("$skiptoken"); it != request.query.end()) {
    Result<Bytes> raw = Base64UrlDecode(it->second);
    try {
      if (!raw.ok()) throw Poco::Exception("bad");
      Poco::JSON::Parser parser;
      Object::Ptr o = parser.parse(std::string(raw->begin(), raw->end())).extract<Object::Ptr>();
      page.offset = static_cast<std::size_t>(std::stoull(o->getValue<std::string>("NextMarker")));
    } catch (...) {
      page.error = "The $skiptoken parameter is invalid.";
    }
  }
  return page;
}

std::string SkipToken(std::size_t offset) {
  return Base64UrlEncode("{\"NextMarker\":\"" + std::to_string(offset) + "\"}");
}

// Fills "value" and "nextLink" of a list result.
template <typename ItemFn>
ApiResponse Page(std::size_t total, const PageRequest& page, const std::string& link_base,
                 const std::string& api_version, ItemFn item) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  Poco::JSON::Array::Ptr value = new Poco::JSON::Array;
  std::size_t end = std::min(total, page.offset + page.max);
  for (std::size_t i = page.offset; i < end; ++i) value->add(item(i));
  o->set("value", value);
  if (end < total) {
    o->set("nextLink", link_base + "?api-version=" + api_version + "&$skiptoken=" + SkipToken(end) +
                           "&maxresults=" + std::to_string(page.max));
  } else {
    o->set("nextLink", Poco::Dynamic::Var());
  }
  return Json(200, o);
}

}  // namespace

KeysApi::KeysApi(const VaultConfig& config, KeyStore* store, std::string base_url)
    : config_(config), store_(store), base_(std::move(base_url)) {}

ApiResponse KeysApi::Handle(const KeysRoute& route, const ApiRequest& request, const std::string& api_version) {
  switch (route.op) {
    case KeyOperation::kCreate: return Create(route, request);
    case KeyOperation::kImport: return Import(route, request);
    case KeyOperation::kGet: return Get(route);
    case KeyOperation::kList: return List(request, api_version, false);
    case KeyOperation::kListVersions: return ListVersions(route, request, api_version);
    case KeyOperation::kUpdate: return Update(route, request);
    case KeyOperation::kRotate: return Rotate(route);
    case KeyOperation::kBackup: return Backup(route);
    case KeyOperation::kRestore: return Restore(request);
    case KeyOperation::kDelete: return Delete(route);
    case KeyOperation::kListDeleted: return List(request, api_version, true);
    case KeyOperation::kGetDeleted: return GetDeleted(route);
    case KeyOperation::kRecover: return Recover(route);
    case KeyOperation::kPurge: return Purge(route);
    case KeyOperation::kEncrypt:
    case KeyOperation::kDecrypt:
    case KeyOperation::kWrapKey:
    case KeyOperation::kUnwrapKey: return Crypto(route, request);
    case KeyOperation::kUnknown: break;
  }
  return ErrorResponse(404, "NotFound", "The requested path is not a keys operation supported by vaultsim.");
}

std::optional<KeyClass> KeysApi::TargetKeyClass(const KeysRoute& route, const ApiRequest& request) const {
  if (route.op == KeyOperation::kCreate || route.op == KeyOperation::kImport) {
    Object::Ptr body = ParseObject(request.body, true);
    KeyClass c;
    if (body && route.op == KeyOperation::kCreate) {
      c.hsm = body->has("kty") && body->get("kty").toString() == "RSA-HSM";
      if (body->has("key_size") && body->get("key_size").isInteger()) c.bits = body->get("key_size").convert<int>();
    } else if (body) {
      c.hsm = body->has("Hsm") && body->get("Hsm").isBoolean() && body->get("Hsm").extract<bool>();
    }
    return c;
  }
  if (route.name.empty()) return std::nullopt;
  std::optional<KeyClass> out;
  store_->Read([&](const VaultState& s) {
    const auto& map = (route.op == KeyOperation::kGetDeleted || route.op == KeyOperation::kRecover ||
                       route.op == KeyOperation::kPurge)
                          ? s.deleted
                          : s.keys;
    auto it = map.find(LowerName(route.name));
    if (it == map.end()) return;
    const KeyVersion* v = route.version.empty() ? &it->second.latest() : it->second.FindVersion(route.version);
    if (v) out = KeyClass{v->is_hsm(), v->key->bits()};
  });
  return out;
}

ApiResponse KeysApi::AddVersion(const std::string& name, KeyVersion version) {
  return Updated(store_, [&](VaultState& state, ApiResponse& response) {
    const std::string lower = LowerName(name);
    if (state.deleted.count(lower) != 0) {
      response = ErrorResponse(409, "Conflict",
                               "Key " + name +
                                   " is currently in a deleted but recoverable state, and its name cannot be reused; "
                                   "in this state, the key can only be recovered or purged.",
                               "ObjectIsDeletedButRecoverable");
      return false;
    }
    KeyEntry& entry = state.keys[lower];
    if (entry.name.empty()) entry.name = name;
    entry.versions.push_back(version);
    response = Json(200, KeyBundleJson(base_, entry.name, entry.versions.back(), config_.soft_delete_retention_days));
    return true;
  });
}

ApiResponse KeysApi::Create(const KeysRoute& route, const ApiRequest& request) {
  if (!ValidKeyName(route.name)) {
    return BadParameter("The key name '" + route.name + "' is invalid: use 1-127 characters of 0-9, a-z, A-Z and -.");
  }
  Object::Ptr body = ParseObject(request.body, false);
  if (!body) return BadParameter("The request body must be a JSON object (KeyCreateParameters).");
  if (!body->has("kty") || !body->get("kty").isString()) return BadParameter("The 'kty' property is required.");
  KeyVersion v;
  v.kty = body->get("kty").extract<std::string>();
  if (v.kty != "RSA" && v.kty != "RSA-HSM") {
    return BadParameter("Key type '" + v.kty + "' is not supported by vaultsim (RSA and RSA-HSM only).");
  }
  int bits = 2048;
  if (body->has("key_size") && !body->isNull("key_size")) {
    if (!body->get("key_size").isInteger()) return BadParameter("The 'key_size' property must be an integer.");
    bits = body->get("key_size").convert<int>();
  }
  if (!ValidKeySize(bits)) return BadParameter("Invalid key size " + std::to_string(bits) + ": use 2048, 3072 or 4096.");
  if (body->has("public_exponent") && !body->isNull("public_exponent") &&
      body->get("public_exponent").convert<long long>() != 65537) {
    return BadParameter("Only the public exponent 65537 is supported.");
  }
  std::optional<std::vector<std::string>> ops;
  std::optional<std::map<std::string, std::string>> tags;
  std::string err = ReadKeyOps(*body, &ops);
  if (err.empty()) err = ApplyAttributes(*body, &v.attributes);
  if (err.empty()) err = ReadTags(*body, &tags);
  if (!err.empty()) return BadParameter(err);
  v.key_ops = ops.value_or(DefaultKeyOps());
  if (tags) v.tags = *tags;
  // Fail fast on a soft-deleted name before spending time on key generation.
  bool deleted = false;
  store_->Read([&](const VaultState& s) { deleted = s.deleted.count(LowerName(route.name)) != 0; });
  if (deleted) return AddVersion(route.name, v);  // answers the 409
  Result<std::shared_ptr<const RsaKey>> key = RsaKey::Generate(bits);
  if (!key.ok()) return KeyGenFailure();
  v.key = std::move(key).value();
  v.version = NewVersionId();
  v.attributes.created = v.attributes.updated = Now();
  return AddVersion(route.name, std::move(v));
}

ApiResponse KeysApi::Import(const KeysRoute& route, const ApiRequest& request) {
  if (!ValidKeyName(route.name)) {
    return BadParameter("The key name '" + route.name + "' is invalid: use 1-127 characters of 0-9, a-z, A-Z and -.");
  }
  Object::Ptr body = ParseObject(request.body, false);
  if (!body) return BadParameter("The request body must be a JSON object (KeyImportParameters).");
  Object::Ptr jwk = body->getObject("key");
  if (!jwk) return BadParameter("The 'key' property is required.");
  std::string kty = jwk->has("kty") ? jwk->get("kty").toString() : "";
  if (kty != "RSA" && kty != "RSA-HSM") {
    return BadParameter("Key type '" + kty + "' is not supported by vaultsim (RSA and RSA-HSM only).");
  }
  bool hsm = kty == "RSA-HSM";
  if (body->has("Hsm") && !body->isNull("Hsm")) {
    if (!body->get("Hsm").isBoolean()) return BadParameter("The 'Hsm' property must be true or false.");
    hsm = hsm || body->get("Hsm").extract<bool>();
  }
  RsaPrivateParts parts;
  const std::pair<const char*, Bytes*> members[] = {{"n", &parts.n},   {"e", &parts.e},   {"d", &parts.d},
                                                    {"p", &parts.p},   {"q", &parts.q},   {"dp", &parts.dp},
                                                    {"dq", &parts.dq}, {"qi", &parts.qi}};
  for (const auto& [name, out] : members) {
    std::optional<Bytes> b = DecodeMember(*jwk, name);
    if (!b || b->empty()) {
      return BadParameter(std::string("The RSA key is missing or has a malformed '") + name +
                          "' (n, e, d, p, q, dp, dq, qi are required, base64url).");
    }
    *out = std::move(*b);
  }
  Result<std::shared_ptr<const RsaKey>> key = RsaKey::FromParts(parts);
  for (const auto& [name, out] : members) std::fill(out->begin(), out->end(), 0);
  if (!key.ok()) return BadParameter(key.status().message());
  if (!ValidKeySize(key.value()->bits())) {
    return BadParameter("Invalid key size " + std::to_string(key.value()->bits()) + ": use 2048, 3072 or 4096.");
  }
  KeyVersion v;
  v.kty = hsm ? "RSA-HSM" : "RSA";
  std::optional<std::vector<std::string>> ops;
  std::optional<std::map<std::string, std::string>> tags;
  std::string err = ReadKeyOps(*jwk, &ops);
  if (err.empty()) err = ApplyAttributes(*body, &v.attributes);
  if (err.empty()) err = ReadTags(*body, &tags);
  if (!err.empty()) return BadParameter(err);
  v.key_ops = ops.value_or(DefaultKeyOps());
  if (tags) v.tags = *tags;
  v.key = std::move(key).value();
  v.version = NewVersionId();
  v.attributes.created = v.attributes.updated = Now();
  return AddVersion(route.name, std::move(v));
}

ApiResponse KeysApi::Get(const KeysRoute& route) {
  ApiResponse response;
  store_->Read([&](const VaultState& s) {
    auto it = s.keys.find(LowerName(route.name));
    if (it == s.keys.end()) {
      response = KeyNotFound(route.name);
      return;
    }
    const KeyVersion* v = route.version.empty() ? &it->second.latest() : it->second.FindVersion(route.version);
    if (!v) {
      response = KeyNotFound(route.name + "/" + route.version);
      return;
    }
    if (!v->attributes.enabled) {
      response = ErrorResponse(403, "Forbidden", "Operation get is not allowed on a disabled key.", "KeyDisabled");
      return;
    }
    response = Json(200, KeyBundleJson(base_, it->second.name, *v, config_.soft_delete_retention_days));
  });
  return response;
}

ApiResponse KeysApi::List(const ApiRequest& request, const std::string& api_version, bool deleted) {
  PageRequest page = ReadPaging(request);
  if (!page.error.empty()) return BadParameter(page.error);
  ApiResponse response;
  store_->Read([&](const VaultState& s) {
    const auto& map = deleted ? s.deleted : s.keys;
    std::vector<const KeyEntry*> entries;
    for (const auto& [name, entry] : map) entries.push_back(&entry);
    response = Page(entries.size(), page, base_ + (deleted ? "/deletedkeys" : "/keys"), api_version,
                    [&](std::size_t i) {
                      return deleted ? DeletedKeyItemJson(base_, *entries[i], config_.soft_delete_retention_days)
                                     : KeyItemJson(base_, entries[i]->name, "", entries[i]->latest(),
                                                   config_.soft_delete_retention_days);
                    });
  });
  return response;
}

ApiResponse KeysApi::ListVersions(const KeysRoute& route, const ApiRequest& request, const std::string& api_version) {
  PageRequest page = ReadPaging(request);
  if (!page.error.empty()) return BadParameter(page.error);
  ApiResponse response;
  store_->Read([&](const VaultState& s) {
    static const KeyEntry kEmpty;
    auto it = s.keys.find(LowerName(route.name));
    const KeyEntry& entry = it == s.keys.end() ? kEmpty : it->second;
    const std::string name = it == s.keys.end() ? route.name : entry.name;
    response = Page(entry.versions.size(), page, base_ + "/keys/" + name + "/versions", api_version,
                    [&](std::size_t i) {
                      const KeyVersion& v = entry.versions[i];
                      return KeyItemJson(base_, name, v.version, v, config_.soft_delete_retention_days);
                    });
  });
  return response;
}

ApiResponse KeysApi::Update(const KeysRoute& route, const ApiRequest& request) {
  Object::Ptr body = ParseObject(request.body, true);
  if (!body) return BadParameter("The request body must be a JSON object (KeyUpdateParameters).");
  std::optional<std::vector<std::string>> ops;
  std::optional<std::map<std::string, std::string>> tags;
  std::string err = ReadKeyOps(*body, &ops);
  if (err.empty()) err = ReadTags(*body, &tags);
  if (!err.empty()) return BadParameter(err);
  return Updated(store_, [&](VaultState& state, ApiResponse& response) {
    auto it = state.keys.find(LowerName(route.name));
    if (it == state.keys.end()) {
      response = KeyNotFound(route.name);
      return false;
    }
    KeyVersion* v = route.version.empty() ? &it->second.versions.back() : it->second.FindVersion(route.version);
    if (!v) {
      response = KeyNotFound(route.name + "/" + route.version);
      return false;
    }
    KeyAttributes attributes = v->attributes;
    std::string attr_err = ApplyAttributes(*body, &attributes);
    if (!attr_err.empty()) {
      response = BadParameter(attr_err);
      return false;
    }
    v->attributes = attributes;
    if (ops) v->key_ops = *ops;
    if (tags) v->tags = *tags;
    v->attributes.updated = Now();
    response = Json(200, KeyBundleJson(base_, it->second.name, *v, config_.soft_delete_retention_days));
    return true;
  });
}

ApiResponse KeysApi::Rotate(const KeysRoute& route) {
  std::optional<KeyVersion> templ;
  store_->Read([&](const VaultState& s) {
    auto it = s.keys.find(LowerName(route.name));
    if (it != s.keys.end()) templ = it->second.latest();
  });
  if (!templ) return KeyNotFound(route.name);
  Result<std::shared_ptr<const RsaKey>> key = RsaKey::Generate(templ->key->bits());
  if (!key.ok()) return KeyGenFailure();
  KeyVersion v;
  v.kty = templ->kty;
  v.key_ops = templ->key_ops;
  v.tags = templ->tags;
  v.key = std::move(key).value();
  v.version = NewVersionId();
  v.attributes.created = v.attributes.updated = Now();
  return Updated(store_, [&](VaultState& state, ApiResponse& response) {
    auto it = state.keys.find(LowerName(route.name));
    if (it == state.keys.end()) {  // deleted meanwhile
      response = KeyNotFound(route.name);
      return false;
    }
    it->second.versions.push_back(v);
    response = Json(200, KeyBundleJson(base_, it->second.name, v, config_.soft_delete_retention_days));
    return true;
  });
}

ApiResponse KeysApi::Backup(const KeysRoute& route) {
  std::optional<KeyEntry> entry;
  store_->Read([&](const VaultState& s) {
    auto it = s.keys.find(LowerName(route.name));
    if (it != s.keys.end()) entry = it->second;
  });
  if (!entry) return KeyNotFound(route.name);
  if (entry->versions.size() > 500) {
    return BadParameter("Keys with more than 500 versions cannot be backed up.");
  }
  std::string text = ToJsonText(KeyEntryToJson(*entry));
  SecureBytes plain(text.begin(), text.end());
  std::fill(text.begin(), text.end(), '\0');
  Bytes blob = SealBackupBlob(config_.geography, config_.backup_secret(), plain);
  if (blob.empty()) return ErrorResponse(500, "InternalServerError", "vaultsim could not seal the backup blob.");
  Object::Ptr o = new Object;
  o->set("value", Base64UrlEncode(blob));
  return Json(200, o);
}

ApiResponse KeysApi::Restore(const ApiRequest& request) {
  Object::Ptr body = ParseObject(request.body, false);
  if (!body || !body->has("value") || !body->get("value").isString()) {
    return BadParameter("The 'value' property (the backup blob) is required.");
  }
  const ApiResponse malformed =
      ErrorResponse(400, "Malformed backup blob", "Backup blob contains invalid or corrupt version.");
  Result<Bytes> blob = Base64UrlDecode(body->get("value").extract<std::string>());
  if (!blob.ok()) return malformed;
  OpenedBackup opened = OpenBackupBlob(*blob, config_.geography, config_.backup_secret());
  if (!opened.ok) {
    if (opened.error == BackupOpenError::kOtherGeography) {
      return ErrorResponse(400, "BadParameter",
                           "The backup blob was created in geography '" + opened.blob_geography +
                               "' and can only be restored into a key vault in the same geography; this key vault is "
                               "in geography '" + config_.geography + "'.",
                           "BackupGeographyMismatch");
    }
    return malformed;
  }
  KeyEntry entry;
  try {
    Poco::JSON::Parser parser;
    Object::Ptr o = parser.parse(std::string(opened.plaintext.begin(), opened.plaintext.end())).extract<Object::Ptr>();
    Result<KeyEntry> parsed = KeyEntryFromJson(*o);
    if (!parsed.ok()) return malformed;
    entry = std::move(parsed).value();
  } catch (...) {
    return malformed;
  }
  entry.deleted_date = entry.scheduled_purge_date = 0;
  return Updated(store_, [&](VaultState& state, ApiResponse& response) {
    const std::string lower = LowerName(entry.name);
    if (state.keys.count(lower) != 0 || state.deleted.count(lower) != 0) {
      response = ErrorResponse(
          409, "Conflict",
          "There was a conflict restoring the key '" + KeyId(base_, entry.name, entry.latest().version) +
              "'. This can happen if either: a second key with the same name was created after the first key was "
              "deleted; thus trying to restore a key whose name is already in use. To fix this, rename the second key "
              "to something else so that the restore works. The second probable cause of this exception is when "
              "multiple operations are performed in parallel against the key. To avoid this error, perform "
              "operations against a key in a sequential manner.");
      return false;
    }
    response = Json(200, KeyBundleJson(base_, entry.name, entry.latest(), config_.soft_delete_retention_days));
    state.keys[lower] = entry;
    return true;
  });
}

ApiResponse KeysApi::Delete(const KeysRoute& route) {
  return Updated(store_, [&](VaultState& state, ApiResponse& response) {
    const std::string lower = LowerName(route.name);
    auto it = state.keys.find(lower);
    if (it == state.keys.end()) {
      response = KeyNotFound(route.name);
      return false;
    }
    KeyEntry entry = std::move(it->second);
    state.keys.erase(it);
    entry.deleted_date = Now();
    entry.scheduled_purge_date = entry.deleted_date + std::int64_t{86400} * config_.soft_delete_retention_days;
    response = Json(200, DeletedKeyBundleJson(base_, entry, config_.soft_delete_retention_days));
    state.deleted[lower] = std::move(entry);
    return true;
  });
}

ApiResponse KeysApi::GetDeleted(const KeysRoute& route) {
  ApiResponse response;
  store_->Read([&](const VaultState& s) {
    auto it = s.deleted.find(LowerName(route.name));
    response = it == s.deleted.end()
                   ? DeletedKeyNotFound(route.name)
                   : Json(200, DeletedKeyBundleJson(base_, it->second, config_.soft_delete_retention_days));
  });
  return response;
}

ApiResponse KeysApi::Recover(const KeysRoute& route) {
  return Updated(store_, [&](VaultState& state, ApiResponse& response) {
    const std::string lower = LowerName(route.name);
    auto it = state.deleted.find(lower);
    if (it == state.deleted.end()) {
      response = DeletedKeyNotFound(route.name);
      return false;
    }
    KeyEntry entry = std::move(it->second);
    state.deleted.erase(it);
    entry.deleted_date = entry.scheduled_purge_date = 0;
    response = Json(200, KeyBundleJson(base_, entry.name, entry.latest(), config_.soft_delete_retention_days));
    state.keys[lower] = std::move(entry);
    return true;
  });
}

ApiResponse KeysApi::Purge(const KeysRoute& route) {
  return Updated(store_, [&](VaultState& state, ApiResponse& response) {
    if (state.deleted.erase(LowerName(route.name)) == 0) {
      response = DeletedKeyNotFound(route.name);
      return false;
    }
    response.status = 204;
    return true;
  });
}

ApiResponse KeysApi::Crypto(const KeysRoute& route, const ApiRequest& request) {
  std::optional<KeyVersion> version;
  std::string name;
  store_->Read([&](const VaultState& s) {
    auto it = s.keys.find(LowerName(route.name));
    if (it == s.keys.end()) return;
    name = it->second.name;
    const KeyVersion* v = route.version.empty() ? &it->second.latest() : it->second.FindVersion(route.version);
    if (v) version = *v;
  });
  if (name.empty()) return KeyNotFound(route.name);
  if (!version) return KeyNotFound(route.name + "/" + route.version);

  Object::Ptr body = ParseObject(request.body, false);
  if (!body) return BadParameter("The request body must be a JSON object (KeyOperationsParameters).");
  if (!body->has("alg") || !body->get("alg").isString()) return BadParameter("The 'alg' property is required.");
  if (!body->has("value") || !body->get("value").isString()) return BadParameter("The 'value' property is required.");
  const std::string alg_name = body->get("alg").extract<std::string>();
  std::optional<RsaAlgorithm> alg = ParseRsaAlgorithm(alg_name);
  if (!alg) {
    return BadParameter("Algorithm '" + alg_name + "' is not supported for key type " + version->kty +
                        " (use RSA-OAEP, RSA-OAEP-256 or RSA1_5).");
  }
  Result<SecureBytes> value = Base64UrlDecodeSecure(body->get("value").extract<std::string>());
  if (!value.ok()) return BadParameter("The 'value' property is not valid base64url.");

  const std::string op(RequiredKeyOp(route.op));
  if (!version->attributes.enabled) {
    return ErrorResponse(403, "Forbidden", "Operation " + op + " is not allowed on a disabled key.", "KeyDisabled");
  }
  if (std::find(version->key_ops.begin(), version->key_ops.end(), op) == version->key_ops.end()) {
    return ErrorResponse(403, "Forbidden", "Operation " + op + " is not permitted on this key.",
                         "KeyOperationForbidden");
  }
  const bool protects = route.op == KeyOperation::kEncrypt || route.op == KeyOperation::kWrapKey;
  if (protects) {  // decrypt/unwrap keep working outside nbf/exp (about-keys.md)
    const std::int64_t now = Now();
    if (version->attributes.exp && now >= *version->attributes.exp) {
      return ErrorResponse(403, "Forbidden", "Operation " + op + " is not allowed on an expired key.", "KeyExpired");
    }
    if (version->attributes.nbf && now < *version->attributes.nbf) {
      return ErrorResponse(403, "Forbidden", "Operation " + op + " is not allowed on a key that is not yet valid.",
                           "KeyNotYetValid");
    }
  }
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("kid", KeyId(base_, name, version->version));
  if (protects) {
    Result<Bytes> out = version->key->Encrypt(*alg, *value);
    if (!out.ok()) return BadParameter(out.status().message());
    o->set("value", Base64UrlEncode(*out));
  } else {
    Bytes ciphertext(value->begin(), value->end());
    Result<SecureBytes> out = version->key->Decrypt(*alg, ciphertext);
    if (!out.ok()) return BadParameter(out.status().message());
    o->set("value", Base64UrlEncode(*out));
  }
  return Json(200, o);
}

ApiResponse KeysApi::SetAttributes(const std::string& name, const std::string& version, const std::string& body_text) {
  Object::Ptr body = ParseObject(body_text, false);
  if (!body) return BadParameter("The body must be a JSON object.");
  Object::Ptr wrapped = new Object;
  wrapped->set("attributes", body);
  ApiRequest request;
  request.body = ToJsonText(wrapped);
  return Update(KeysRoute{KeyOperation::kUpdate, name, version}, request);
}

}  // namespace geoekm::vaultsim
