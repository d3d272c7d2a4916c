#include "keyvault/identity/client_certificate_source.h"

#include <chrono>

#include "keyvault/identity/client_secret_source.h"
#include "keyvault/identity/form_body.h"

namespace geoekm {

ClientCertificateSource::ClientCertificateSource(TokenEndpoint endpoint, std::string client_id,
                                                 std::shared_ptr<const ClientCertificate> certificate,
                                                 HttpExchange authority)
    : endpoint_(std::move(endpoint)),
      client_id_(std::move(client_id)),
      certificate_(std::move(certificate)),
      authority_(std::move(authority)) {}

Result<AccessToken> ClientCertificateSource::Fetch(const TokenScope& scope, Deadline deadline) {
  std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  Result<SecureString> assertion = certificate_->Assertion(endpoint_.UrlFor(scope.tenant), client_id_, now);
  if (!assertion.ok()) return assertion.status();
  std::string_view jwt(assertion.value());
  FormBody body;
  body.Add("grant_type", "client_credentials")
      .Add("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
      .Add("client_id", client_id_);
  if (endpoint_.version() == TokenEndpointVersion::kV2) {
    body.Add("scope", scope.resource + "/.default");
  } else {
    body.Add("resource", scope.resource);
  }
  body.Add("client_assertion", jwt);
  return RequestToken(authority_, endpoint_, scope.tenant, body.str(), deadline, {jwt});
}

}  // namespace geoekm
