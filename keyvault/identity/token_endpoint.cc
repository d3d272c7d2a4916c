#include "keyvault/identity/token_endpoint.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "core/error_codes.h"

namespace geoekm {

Result<TokenEndpoint> TokenEndpoint::FromConfig(const CredentialOptions& auth) {
  TokenEndpoint e;
  e.version_ = auth.endpoint_version;
  try {
    Poco::URI uri(auth.authority_host);
    if (uri.getScheme() != "https" || uri.getHost().empty()) {
      return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput,
                    "authority host '" + auth.authority_host + "' must be an https URL");
    }
    e.host_ = uri.getHost();
    e.port_ = uri.getPort();
    e.base_path_ = uri.getPath();
    while (!e.base_path_.empty() && e.base_path_.back() == '/') e.base_path_.pop_back();
  } catch (const Poco::Exception&) {
    return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput,
                  "authority host '" + auth.authority_host + "' is not a URL");
  }
  e.authority_ = "https://" + e.host_ + (e.port_ == 443 ? "" : ":" + std::to_string(e.port_)) + e.base_path_;
  return e;
}

std::string TokenEndpoint::PathFor(const std::string& tenant) const {
  std::string encoded;
  Poco::URI::encode(tenant, "/?#", encoded);
  return base_path_ + "/" + encoded + (version_ == TokenEndpointVersion::kV2 ? "/oauth2/v2.0/token" : "/oauth2/token");
}

std::string TokenEndpoint::UrlFor(const std::string& tenant) const {
  return "https://" + host_ + (port_ == 443 ? "" : ":" + std::to_string(port_)) + PathFor(tenant);
}

}  // namespace geoekm
