#include "provider/cli/replication_output.h"

#include "provider/cli/json_output.h"
#include "replication/copy_rules.h"

namespace geoekm::cli {
namespace {

Poco::JSON::Object::Ptr CopyJson(const VersionCopy& c) {
  Poco::JSON::Object::Ptr o = JsonObject();
  o->set("version", c.version);
  o->set("kid", c.kid);
  o->set("thumbprint", c.thumbprint);
  o->set("thumbprint_source", std::string(ThumbprintSourceName(c.thumbprint_source)));
  o->set("kty", c.kty);
  o->set("key_size", c.key_size_bits);
  o->set("enabled", c.enabled());
  SetOptional(*o, "nbf", c.attributes.nbf);
  SetOptional(*o, "exp", c.attributes.exp);
  SetOptional(*o, "created", c.attributes.created);
  o->set("key_ops", JsonStrings(c.key_ops));
  o->set("readable", c.material_read());
  if (!c.material_read()) o->set("read_error", StatusJson(c.read_status));
  return o;
}

}  // namespace

Poco::JSON::Object::Ptr StatusJson(const Status& status) {
  Poco::JSON::Object::Ptr o = JsonObject();
  o->set("code", status.code());
  o->set("class", std::string(ErrorClassName(status.error_class())));
  o->set("message", status.message());
  if (!status.vault().empty()) o->set("vault", status.vault());
  if (status.http_status() != 0) o->set("http_status", status.http_status());
  if (!status.vault_error_code().empty()) o->set("vault_error", status.vault_error_code());
  return o;
}

Poco::JSON::Object::Ptr InventoryJson(const KeyInventory& inventory) {
  Poco::JSON::Object::Ptr o = JsonObject();
  o->set("key", inventory.key_name);
  o->set("taken", UtcSeconds(inventory.taken_unix_s));
  Poco::JSON::Array::Ptr vaults = new Poco::JSON::Array;
  for (const VaultHoldings& v : inventory.vaults) {
    Poco::JSON::Object::Ptr j = JsonObject();
    j->set("name", v.vault.name);
    j->set("region", v.vault.region);
    j->set("geography", v.vault.geography);
    j->set("priority", v.vault.priority);
    j->set("readable", v.readable());
    if (!v.readable()) j->set("status", StatusJson(v.status));
    if (v.deleted) {
      Poco::JSON::Object::Ptr d = JsonObject();
      d->set("recovery_id", v.deleted->recovery_id);
      SetOptional(*d, "deleted_date", v.deleted->deleted_date);
      SetOptional(*d, "scheduled_purge_date", v.deleted->scheduled_purge_date);
      d->set("latest_thumbprint", v.deleted->key.thumbprint);
      j->set("deleted", d);
    } else {
      j->set("deleted", Poco::Dynamic::Var());
    }
    j->set("latest_version", v.latest_version);
    Poco::JSON::Array::Ptr versions = new Poco::JSON::Array;
    for (const VersionCopy& c : v.versions) versions->add(CopyJson(c));
    j->set("versions", versions);
    vaults->add(j);
  }
  o->set("vaults", vaults);
  Poco::JSON::Array::Ptr history = new Poco::JSON::Array;
  for (const HistoricVersion& h : inventory.history) {
    Poco::JSON::Object::Ptr j = JsonObject();
    j->set("thumbprint", h.version.thumbprint);
    j->set("kty", h.version.kty);
    j->set("key_size", h.version.size_bits);
    SetOptional(*j, "created", h.version.created);
    SetOptional(*j, "first_wrap_ms", h.version.first_wrap_ms);
    SetOptional(*j, "last_wrap_ms", h.version.last_wrap_ms);
    history->add(j);
  }
  o->set("history", history);
  return o;
}

Poco::JSON::Array::Ptr FindingsJson(const std::vector<ReplicationFinding>& findings) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const ReplicationFinding& f : findings) {
    Poco::JSON::Object::Ptr j = JsonObject();
    j->set("vault", f.vault);
    j->set("kind", std::string(FindingKindName(f.kind)));
    j->set("thumbprint", f.thumbprint);
    j->set("version", f.version);
    j->set("reason", f.reason);
    j->set("azure_error", f.azure_error);
    j->set("fix", f.fix);
    if (!f.status.ok()) j->set("status", StatusJson(f.status));
    a->add(j);
  }
  return a;
}

void PrintFindingsInFixOrder(const std::vector<ReplicationFinding>& findings, const std::vector<std::string>& order,
                             std::ostream& out) {
  out << "fix in this order (secondaries first, the primary last):\n";
  int n = 0;
  for (const std::string& vault : order) {
    out << "  " << ++n << ". " << vault << "\n";
    for (const ReplicationFinding& f : findings) {
      if (f.vault != vault) continue;
      out << "     - [" << FindingKindName(f.kind) << "] " << f.reason << "\n"
          << "       Azure: " << f.azure_error << "\n"
          << "       fix:   " << f.fix << "\n";
    }
  }
}

std::string CopyCell(const VersionCopy& copy, std::int64_t now_s) {
  std::string cell = copy.version.substr(0, 8);
  if (!copy.enabled()) return cell + " DISABLED";
  if (copy.ExpiredAt(now_s)) return cell + " EXPIRED";
  if (!copy.material_read()) return cell + " UNREADABLE";
  if (copy.attributes.exp) return cell + " exp " + UtcSeconds(*copy.attributes.exp).substr(0, 10);
  return cell + " ok";
}

}  // namespace geoekm::cli
