#include "vaultsim/login_error.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include "vaultsim/json_text.h"

namespace geoekm::vaultsim {

LoginReply EntraError::ToReply(const std::string& correlation_id, std::int64_t now) const {
  const std::string trace_id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  const std::string correlation =
      correlation_id.empty() ? Poco::UUIDGenerator::defaultGenerator().createRandom().toString() : correlation_id;
  const Poco::Timestamp ts = Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(now));
  // The description's timestamp has 7 fractional digits, the member has none.
  const std::string long_ts = Poco::DateTimeFormatter::format(ts, "%Y-%m-%d %H:%M:%S.%i0000Z");
  const std::string short_ts = Poco::DateTimeFormatter::format(ts, "%Y-%m-%d %H:%M:%SZ");
  const std::string code = std::to_string(aadsts);

  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("error", error);
  body.set("error_description", "AADSTS" + code + ": " + text + "\r\nTrace ID: " + trace_id +
                                    "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: " + long_ts);
  Poco::JSON::Array::Ptr codes = new Poco::JSON::Array;
  codes->add(aadsts);
  body.set("error_codes", codes);
  body.set("timestamp", short_ts);
  body.set("trace_id", trace_id);
  body.set("correlation_id", correlation);
  body.set("error_uri", "https://login.microsoftonline.com/error?code=" + code);
  LoginReply reply;
  reply.status = http_status;
  reply.body = ToJsonText(body);
  reply.headers.emplace_back("x-ms-request-id", trace_id);
  return reply;
}

EntraError InvalidClientSecret(const std::string& client_id) {
  return {401, "invalid_client", 7000215,
          "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
          "not the client secret ID, for a secret added to app '" +
              client_id + "'."};
}

EntraError ApplicationNotFound(const std::string& client_id, const std::string& tenant) {
  return {400, "unauthorized_client", 700016,
          "Application with identifier '" + client_id + "' was not found in the directory '" + tenant +
              "'. This can happen if the application has not been installed by the administrator of the tenant or "
              "consented to by any user in the tenant. You may have sent your authentication request to the wrong "
              "tenant."};
}

EntraError TenantNotFound(const std::string& tenant) {
  return {400, "invalid_tenant", 90002,
          "Tenant '" + tenant +
              "' not found. Check to make sure you have the correct tenant ID and are signing into the correct "
              "cloud. Check with your subscription administrator, this may happen if there are no active "
              "subscriptions for the tenant."};
}

EntraError AssertionSignatureInvalid(const std::string& detail) {
  return {401, "invalid_client", 700027, "Client assertion failed signature validation. " + detail};
}

EntraError MissingCredential() {
  return {401, "invalid_client", 7000218,
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."};
}

EntraError InvalidScope(const std::string& scope) {
  return {400, "invalid_scope", 70011,
          "The provided request must include a 'scope' input parameter. The provided value for the input "
          "parameter 'scope' is not valid. The scope " +
              scope + " is not valid."};
}

EntraError MissingParameter(const std::string& name) {
  return {400, "invalid_request", 900144, "The request body must contain the following parameter: '" + name + "'."};
}

EntraError UnsupportedGrantType(const std::string& grant_type) {
  return {400, "unsupported_grant_type", 70003,
          "The app requested an unsupported grant type '" + grant_type + "'."};
}

EntraError ResourceNotFound(const std::string& resource, const std::string& tenant) {
  return {400, "invalid_resource", 500011,
          "The resource principal named " + resource + " was not found in the tenant named " + tenant +
              ". This can happen if the application has not been installed by the administrator of the tenant or "
              "consented to by any user in the tenant. You might have sent your authentication request to the "
              "wrong tenant."};
}

EntraError AssertionInvalid(int aadsts, const std::string& text) { return {401, "invalid_client", aadsts, text}; }

}  // namespace geoekm::vaultsim
