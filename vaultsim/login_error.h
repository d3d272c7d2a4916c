// EntraError: an Entra ID (AADSTS) token-endpoint error rendered exactly as
// the service does (docs/ARCHITECTURE.md §Entra tokens): HTTP 400/401 and
//   {"error":..,"error_description":"AADSTS<n>: <text>\r\nTrace ID: ..\r\n
//    Correlation ID: ..\r\nTimestamp: ..","error_codes":[n],"timestamp":..,
//    "trace_id":..,"correlation_id":..,"error_uri":"https://login.microsoftonline.com/error?code=<n>"}
//
// Thread safety: a plain value; ToReply is a pure function of it and `now`.
#pragma once

#include <cstdint>
#include <string>

#include "vaultsim/login_reply.h"

namespace geoekm::vaultsim {

struct EntraError {
  int http_status = 400;
  std::string error;  // invalid_client, unauthorized_client, invalid_scope, ...
  int aadsts = 0;
  std::string text;   // the message after "AADSTS<n>: "

  // correlation_id: the client's client-request-id when it sent one
  // (MSAL does), else a fresh GUID.
  LoginReply ToReply(const std::string& correlation_id, std::int64_t now) const;
};

// The errors vaultsim answers with; texts follow the real service.
EntraError InvalidClientSecret(const std::string& client_id);                          // 7000215, 401
EntraError ApplicationNotFound(const std::string& client_id, const std::string& tenant);  // 700016, 400
EntraError TenantNotFound(const std::string& tenant);                                   // 90002, 400
EntraError AssertionSignatureInvalid(const std::string& detail);                        // 700027, 401
EntraError MissingCredential();                                                          // 7000218, 401
EntraError InvalidScope(const std::string& scope);                                      // 70011, 400
EntraError MissingParameter(const std::string& name);                                  // 900144, 400
EntraError UnsupportedGrantType(const std::string& grant_type);                         // 70003, 400
EntraError ResourceNotFound(const std::string& resource, const std::string& tenant);   // 500011, 400
EntraError AssertionInvalid(int aadsts, const std::string& text);                       // 401 invalid_client

}  // namespace geoekm::vaultsim
