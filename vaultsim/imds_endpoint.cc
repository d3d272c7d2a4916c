#include "vaultsim/imds_endpoint.h"

#include <Poco/JSON/Object.h>
#include <Poco/String.h>
#include <Poco/UUIDGenerator.h>

#include <vector>

#include "vaultsim/json_text.h"

namespace geoekm::vaultsim {
namespace {

// IMDS error shape: {"error":..,"error_description":..}.
LoginReply ImdsError(int status, const std::string& error, const std::string& description) {
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("error", error);
  body.set("error_description", description);
  return {status, ToJsonText(body), {}};
}

// App Service error shape: {"statusCode":..,"message":..,"correlationId":..}.
LoginReply AppServiceError(int status, const std::string& message) {
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("statusCode", status);
  body.set("message", message);
  body.set("correlationId", Poco::UUIDGenerator::defaultGenerator().createRandom().toString());
  return {status, ToJsonText(body), {}};
}

std::string Get(const ManagedIdentityRequest& r, const std::string& name) {
  auto it = r.query.find(name);
  return it == r.query.end() ? std::string() : it->second;
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// "YYYY-MM-DD" not older than `oldest` (same format, so string order works).
bool ApiVersionAtLeast(const std::string& v, const std::string& oldest) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return v >= oldest;
}

enum class Selector { kNone, kClientId, kObjectId, kResourceId, kAmbiguous };

struct Selection {
  const ManagedIdentity* identity = nullptr;
  std::string error;  // set when identity is null
};

// Picks the identity named by exactly one selector, else the system-assigned
// one, else the only one (what IMDS does on a VM with one user-assigned
// identity).
Selection Select(const LoginConfig& config, const std::vector<std::pair<Selector, std::string>>& given) {
  std::vector<std::pair<Selector, std::string>> present;
  for (const auto& g : given) {
    if (!g.second.empty()) present.push_back(g);
  }
  if (present.size() > 1) return {nullptr, "Only one of client_id, object_id and the resource id may be given"};
  if (present.empty()) {
    for (const auto& mi : config.managed_identities) {
      if (mi.system_assigned) return {&mi, ""};
    }
    if (config.managed_identities.size() == 1) return {&config.managed_identities.front(), ""};
    if (config.managed_identities.empty()) return {nullptr, "Identity not found"};
    return {nullptr,
            "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in "
            "the token request"};
  }
  const auto& [selector, value] = present.front();
  for (const auto& mi : config.managed_identities) {
    const bool match = (selector == Selector::kClientId && Poco::icompare(mi.client_id, value) == 0) ||
                       (selector == Selector::kObjectId && !mi.object_id.empty() &&
                        Poco::icompare(mi.object_id, value) == 0) ||
                       (selector == Selector::kResourceId && !mi.resource_id.empty() &&
                        Poco::icompare(mi.resource_id, value) == 0);
    if (match) return {&mi, ""};
  }
  return {nullptr, "Identity not found"};
}

bool KnownResource(const LoginConfig& config, const std::string& resource) {
  if (config.resources.empty()) return true;
  for (const auto& r : config.resources) {
    if (Poco::icompare(r, TrimSlash(resource)) == 0) return true;
  }
  return false;
}

}  // namespace

LoginReply ManagedIdentityEndpoint::Handle(const ManagedIdentityRequest& request, std::int64_t now) const {
  // MSAL asks for ".../oauth2/token/"; IMDS answers with or without the slash.
  const std::string path = request.path.size() > 1 ? TrimSlash(request.path) : request.path;
  if (Poco::icompare(path, kImdsPath) == 0) return Imds(request, now);
  if (!config_.identity_header.empty() && Poco::icompare(path, kAppServicePath) == 0) {
    return AppService(request, now);
  }
  return ImdsError(404, "not_found", "The requested path was not found");
}

LoginReply ManagedIdentityEndpoint::Imds(const ManagedIdentityRequest& request, std::int64_t now) const {
  // The header check comes first: it is IMDS's SSRF guard.
  if (!request.metadata || *request.metadata != "true") {
    return ImdsError(400, "bad_request_102", "Required metadata header not specified");
  }
  if (request.method != "GET") return ImdsError(405, "invalid_request", "Only GET is supported");
  const std::string api_version = Get(request, "api-version");
  if (api_version.empty()) return ImdsError(400, "invalid_request", "Required query variable 'api-version' is missing");
  if (!ApiVersionAtLeast(api_version, "2018-02-01")) {
    return ImdsError(400, "invalid_request", "Invalid api-version '" + api_version + "'");
  }
  const std::string resource = Get(request, "resource");
  if (resource.empty()) return ImdsError(400, "invalid_request", "Required query variable 'resource' is missing");
  const Selection s = Select(config_, {{Selector::kClientId, Get(request, "client_id")},
                                       {Selector::kObjectId, Get(request, "object_id")},
                                       {Selector::kResourceId, Get(request, "msi_res_id")}});
  if (!s.identity) return ImdsError(400, "invalid_request", s.error);
  if (!KnownResource(config_, resource)) {
    return ImdsError(400, "invalid_resource",
                     "AADSTS500011: The resource principal named " + resource + " was not found in the tenant named " +
                         s.identity->tenant + ".");
  }
  auto token = minter_.Mint(s.identity->tenant, s.identity->app_id, TrimSlash(resource), now);
  if (!token.ok()) return ImdsError(500, "unknown", "Failed to issue a token");
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("access_token", token->jwt);
  body.set("refresh_token", std::string());
  body.set("expires_in", std::to_string(token->lifetime));
  body.set("expires_on", std::to_string(token->expires));
  body.set("ext_expires_in", std::to_string(token->lifetime));
  body.set("not_before", std::to_string(token->not_before));
  body.set("resource", resource);
  body.set("token_type", std::string("Bearer"));
  body.set("client_id", s.identity->client_id);
  return {200, ToJsonText(body), {}};
}

LoginReply ManagedIdentityEndpoint::AppService(const ManagedIdentityRequest& request, std::int64_t now) const {
  if (!request.identity_header || *request.identity_header != config_.identity_header) {
    return AppServiceError(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER");
  }
  if (request.method != "GET") return AppServiceError(405, "Only GET is supported");
  const std::string api_version = Get(request, "api-version");
  if (api_version != "2019-08-01") {
    return AppServiceError(400, "Unsupported api-version '" + api_version + "'; use 2019-08-01");
  }
  const std::string resource = Get(request, "resource");
  if (resource.empty()) return AppServiceError(400, "Required query parameter 'resource' is missing");
  std::string object_id = Get(request, "principal_id");
  if (object_id.empty()) object_id = Get(request, "object_id");
  const Selection s = Select(config_, {{Selector::kClientId, Get(request, "client_id")},
                                       {Selector::kObjectId, object_id},
                                       {Selector::kResourceId, Get(request, "mi_res_id")}});
  if (!s.identity) return AppServiceError(400, "Unable to load the proper Managed Identity. " + s.error);
  if (!KnownResource(config_, resource)) {
    return AppServiceError(400, "AADSTS500011: The resource principal named " + resource + " was not found.");
  }
  auto token = minter_.Mint(s.identity->tenant, s.identity->app_id, TrimSlash(resource), now);
  if (!token.ok()) return AppServiceError(500, "Failed to issue a token");
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("access_token", token->jwt);
  body.set("expires_on", std::to_string(token->expires));
  body.set("resource", resource);
  body.set("token_type", std::string("Bearer"));
  body.set("client_id", s.identity->client_id);
  body.set("not_before", std::to_string(token->not_before));
  return {200, ToJsonText(body), {}};
}

}  // namespace geoekm::vaultsim
