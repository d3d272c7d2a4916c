#include "vaultsim/vault_pipeline.h"

#include <chrono>
#include <thread>

#include "core/random_uuid.h"
#include "vaultsim/api_version.h"

namespace geoekm::vaultsim {
namespace {

std::string Header(const ApiRequest& r, const std::string& lower_name) {
  auto it = r.headers.find(lower_name);
  return it == r.headers.end() ? "" : it->second;
}

ApiResponse Throttled(std::optional<int> retry_after_seconds) {
  ApiResponse r = ErrorResponse(429, "Throttled",
                                "Request was not processed because too many requests were received. Reason: "
                                "VaultRequestTypeLimitReached");
  if (retry_after_seconds) r.headers.emplace_back("Retry-After", std::to_string(*retry_after_seconds));
  return r;
}

std::string InjectedCode(int status) {
  switch (status) {
    case 500: return "InternalServerError";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    case 408: return "RequestTimeout";
    case 429: return "Throttled";
    default: return "InjectedFault";
  }
}

}  // namespace

PipelineResult VaultPipeline::Handle(const ApiRequest& request) {
  const KeysRoute route = ParseKeysRoute(request.method, request.path);
  const std::string_view op = OperationName(route.op);
  p_.stats->CountRequest(op);

  PipelineResult result;
  FaultDecision fault = p_.faults->Decide(op);
  if (fault.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault.latency_ms));
  if (fault.blackhole) {
    result.action = ConnectionAction::kBlackhole;
  } else if (fault.reset) {
    result.action = ConnectionAction::kReset;
  } else if (fault.throttle_storm) {
    result.response = Throttled(fault.storm_retry_after);
  } else if (fault.error_status) {
    result.response = ErrorResponse(*fault.error_status, InjectedCode(*fault.error_status), "Injected fault.");
  } else {
    result.response = Process(request, route);
    if (result.response.status >= 200 && result.response.status < 300) {
      if (auto body = p_.faults->AnswerBody(op)) result.response.body = std::move(*body);
    }
    if (fault.tamper) TamperAnswer(*fault.tamper, &result.response);
  }
  if (result.action == ConnectionAction::kRespond) {
    AddStandardHeaders(request, &result.response);
    p_.stats->CountStatus(result.response.status);
  } else {
    p_.stats->CountStatus(0);
  }
  return result;
}

ApiResponse VaultPipeline::Process(const ApiRequest& request, const KeysRoute& route) {
  TokenCheckOutcome auth = p_.tokens->Check(Header(request, "authorization"));
  if (!auth.claims) return auth.rejection;

  if (p_.faults->firewall_deny()) {
    return ErrorResponse(403, "Forbidden",
                         "Client address (" + request.peer_address +
                             ") is not authorized and caller is not a trusted service",
                         "ForbiddenByFirewall");
  }

  auto version = request.query.find("api-version");
  if (version == request.query.end() || version->second.empty()) {
    return ErrorResponse(400, "BadParameter", "The 'api-version' query parameter is missing.");
  }
  if (!IsSupportedApiVersion(version->second)) {
    return ErrorResponse(400, "BadParameter",
                         "The specified version (" + version->second +
                             ") is not recognized. Consider using the latest supported version (7.5).");
  }
  if (route.op == KeyOperation::kUnknown) {
    return ErrorResponse(404, "NotFound", "The requested path is not a keys operation supported by vaultsim.");
  }

  if (p_.throttler->enabled()) {
    std::optional<int> wait = p_.throttler->Admit(route.op, p_.keys->TargetKeyClass(route, request));
    if (wait) return Throttled(p_.throttler->retry_after() ? wait : std::nullopt);
  }

  const std::string permission(RequiredPermission(route.op));
  if (!p_.policies->Allowed(auth.claims->app_id, permission)) {
    const AccessTokenClaims& c = *auth.claims;
    return ErrorResponse(403, "Forbidden",
                         "The user, group or application 'appid=" + c.app_id + ";oid=" + c.app_id + ";iss=" +
                             c.issuer + "' does not have keys " + permission + " permission on key vault '" +
                             p_.config->name + ";location=" + p_.config->region +
                             "'. For help resolving this issue, please see "
                             "https://go.microsoft.com/fwlink/?linkid=2125287",
                         "AccessDenied");
  }
  return p_.keys->Handle(route, request, version->second);
}

void VaultPipeline::AddStandardHeaders(const ApiRequest& request, ApiResponse* response) const {
  auto& h = response->headers;
  h.emplace_back("Cache-Control", "no-cache");
  h.emplace_back("Pragma", "no-cache");
  h.emplace_back("Expires", "-1");
  h.emplace_back("x-ms-keyvault-region", p_.config->region);
  std::string client_request_id = Header(request, "x-ms-client-request-id");
  if (!client_request_id.empty()) h.emplace_back("x-ms-client-request-id", client_request_id);
  h.emplace_back("x-ms-request-id", RandomUuid());
  h.emplace_back("x-ms-keyvault-service-version", "1.9.950.1");
  h.emplace_back("x-ms-keyvault-network-info", "conn_type=Ipv4;addr=" + request.peer_address + ";act_addr_fam=InterNetwork;");
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("Strict-Transport-Security", "max-age=31536000;includeSubDomains");
}

}  // namespace geoekm::vaultsim
