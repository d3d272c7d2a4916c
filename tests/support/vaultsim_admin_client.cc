#include "tests/support/vaultsim_admin_client.h"

#include <Poco/JSON/Array.h>

#include "vaultsim/json_text.h"

namespace geoekm::testing {
namespace {

Poco::JSON::Array::Ptr Array(const std::vector<std::string>& items) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const std::string& s : items) a->add(s);
  return a;
}

Poco::JSON::Object::Ptr Targeted(double rate, const std::vector<std::string>& operations, int count) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("rate", rate);
  o->set("count", count);
  if (!operations.empty()) o->set("operations", Array(operations));
  return o;
}

}  // namespace

VaultSimAdminClient::VaultSimAdminClient(const std::string& host, int admin_port, const std::string& ca_file,
                                         const std::string& token)
    : client_(host, admin_port, ca_file) {
  client_.SetDefaultHeader("Authorization", "Bearer " + token);
}

bool VaultSimAdminClient::Post(const std::string& path, const std::string& body) {
  last_ = client_.Send("POST", path, body);
  return last_.status == 200;
}

bool VaultSimAdminClient::SetFaults(const std::string& json) { return Post("/faults", json); }

bool VaultSimAdminClient::ClearFaults() {
  last_ = client_.Send("DELETE", "/faults");
  return last_.status == 200;
}

bool VaultSimAdminClient::SetLatency(int fixed_ms, int jitter_ms, const std::vector<std::string>& operations) {
  Poco::JSON::Object::Ptr l = new Poco::JSON::Object;
  l->set("fixed_ms", fixed_ms);
  l->set("jitter_ms", jitter_ms);
  if (!operations.empty()) l->set("operations", Array(operations));
  Poco::JSON::Object body;
  body.set("latency", l);
  return SetFaults(vaultsim::ToJsonText(body));
}

bool VaultSimAdminClient::SetErrorRate(int status, double rate, const std::vector<std::string>& operations, int count) {
  Poco::JSON::Object::Ptr e = Targeted(rate, operations, count);
  e->set("status", status);
  Poco::JSON::Object body;
  body.set("error", e);
  return SetFaults(vaultsim::ToJsonText(body));
}

bool VaultSimAdminClient::SetReset(double rate, const std::vector<std::string>& operations, int count) {
  Poco::JSON::Object body;
  body.set("reset", Targeted(rate, operations, count));
  return SetFaults(vaultsim::ToJsonText(body));
}

bool VaultSimAdminClient::SetBlackhole(bool on) {
  return SetFaults(on ? R"({"blackhole":true})" : R"({"blackhole":false})");
}

bool VaultSimAdminClient::SetThrottleStorm(bool on, bool retry_after, int retry_after_seconds) {
  if (!on) return SetFaults(R"({"throttle_storm":null})");
  Poco::JSON::Object::Ptr s = new Poco::JSON::Object;
  s->set("retry_after", retry_after);
  s->set("retry_after_seconds", retry_after_seconds);
  Poco::JSON::Object body;
  body.set("throttle_storm", s);
  return SetFaults(vaultsim::ToJsonText(body));
}

bool VaultSimAdminClient::SetFirewallDeny(bool deny) {
  return Post("/firewall", deny ? R"({"deny":true})" : R"({"deny":false})");
}

bool VaultSimAdminClient::Grant(const std::string& client_id, const std::vector<std::string>& permissions) {
  Poco::JSON::Object body;
  body.set("client_id", client_id);
  body.set("grant", Array(permissions));
  return Post("/permissions", vaultsim::ToJsonText(body));
}

bool VaultSimAdminClient::Revoke(const std::string& client_id, const std::vector<std::string>& permissions) {
  Poco::JSON::Object body;
  body.set("client_id", client_id);
  body.set("revoke", Array(permissions));
  return Post("/permissions", vaultsim::ToJsonText(body));
}

bool VaultSimAdminClient::SetKeyAttributes(const std::string& name, const std::string& version,
                                           std::optional<bool> enabled, std::optional<std::int64_t> nbf,
                                           std::optional<std::int64_t> exp) {
  Poco::JSON::Object body;
  if (enabled) body.set("enabled", *enabled);
  if (nbf) body.set("nbf", *nbf);
  if (exp) body.set("exp", *exp);
  return Post("/keys/" + name + "/" + version + (version.empty() ? "" : "/") + "attributes", vaultsim::ToJsonText(body));
}

Poco::JSON::Object::Ptr VaultSimAdminClient::Stats() {
  last_ = client_.Send("GET", "/stats");
  return last_.Json();
}

std::int64_t VaultSimAdminClient::RequestCount(const std::string& operation) {
  Poco::JSON::Object::Ptr requests = Stats()->getObject("requests");
  return requests ? requests->optValue<std::int64_t>(operation, 0) : 0;
}

std::int64_t VaultSimAdminClient::ConnectionsAccepted() {
  return Stats()->optValue<std::int64_t>("connections_accepted", -1);
}

}  // namespace geoekm::testing
