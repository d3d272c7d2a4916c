// VaultAuthenticator::Create: wires the configured credential to its
// transport and a token cache. Kept apart from ChallengeAuthenticator so
// that unit tests of the parsers, sources and cache do not need the HTTPS
// transport.
#include "keyvault/identity/vault_authenticator.h"

#include <memory>

#include "core/error_codes.h"
#include "keyvault/identity/challenge_authenticator.h"
#include "keyvault/identity/client_assertion.h"
#include "keyvault/identity/client_certificate_source.h"
#include "keyvault/identity/client_secret_source.h"
#include "keyvault/identity/managed_identity_source.h"
#include "keyvault/identity/plain_http_exchange.h"
#include "keyvault/identity/token_cache.h"
#include "keyvault/identity/token_endpoint.h"
#include "keyvault/http/https_transport.h"

namespace geoekm {
namespace {

Result<HttpExchange> HttpsExchange(const std::string& host, int port, const CredentialOptions& auth) {
  HttpsOrigin origin;
  origin.host = host;
  origin.port = port;
  origin.connect_to_host = auth.connect_to_host;
  origin.connect_to_port = auth.connect_to_port;
  origin.ca_bundle = auth.ca_bundle;
  origin.max_idle_connections = 4;  // token requests are rare
  origin.max_response_bytes = 256 * 1024;  // a token answer is a few KB
  Result<std::shared_ptr<HttpsTransport>> transport = HttpsTransport::Create(origin);
  if (!transport.ok()) return transport.status();
  std::shared_ptr<HttpsTransport> t = std::move(transport).value();
  // A token request may be repeated safely: at worst a second token is issued.
  return HttpExchange([t](const HttpRequest& request, Deadline deadline) {
    return t->Send(request, deadline, /*idempotent=*/true);
  });
}

Result<std::shared_ptr<TokenSource>> MakeSource(const CredentialOptions& auth) {
  if (auth.kind == CredentialKind::kManagedIdentity) {
    Result<ManagedIdentityEndpoint> endpoint = ManagedIdentityEndpoint::Resolve(auth);
    if (!endpoint.ok()) return endpoint.status();
    HttpExchange exchange;
    if (endpoint->scheme == "https") {
      // Only a configured test/non-Azure endpoint can be https; it is not
      // the authority, so connect_to does not apply to it.
      CredentialOptions direct = auth;
      direct.connect_to_host.clear();
      direct.connect_to_port = 0;
      Result<HttpExchange> https = HttpsExchange(endpoint->host, endpoint->port, direct);
      if (!https.ok()) return https.status();
      exchange = std::move(https).value();
    } else {
      auto plain = std::make_shared<PlainHttpExchange>(endpoint->host, endpoint->port);
      exchange = [plain](const HttpRequest& request, Deadline deadline) { return plain->Send(request, deadline); };
    }
    return std::shared_ptr<TokenSource>(std::make_shared<ManagedIdentitySource>(
        std::move(endpoint).value(), auth.managed_identity_client_id, std::move(exchange)));
  }

  Result<TokenEndpoint> endpoint = TokenEndpoint::FromConfig(auth);
  if (!endpoint.ok()) return endpoint.status();
  if (auth.client_id.empty()) {
    return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "no client id configured");
  }
  Result<HttpExchange> exchange = HttpsExchange(endpoint->host(), endpoint->port(), auth);
  if (!exchange.ok()) return exchange.status();

  if (auth.kind == CredentialKind::kCertificate) {
    Result<std::shared_ptr<const ClientCertificate>> cert =
        ClientCertificate::Load(auth.certificate_file, auth.certificate_key_file, auth.certificate_password_file);
    if (!cert.ok()) return cert.status();
    return std::shared_ptr<TokenSource>(std::make_shared<ClientCertificateSource>(
        std::move(endpoint).value(), auth.client_id, std::move(cert).value(), std::move(exchange).value()));
  }
  if (auth.client_secret.empty() && auth.client_secret_file.empty()) {
    return Status(codes::kConfigInvalid, ErrorClass::kInvalidInput, "no client secret or client secret file configured");
  }
  return std::shared_ptr<TokenSource>(std::make_shared<ClientSecretSource>(
      std::move(endpoint).value(), auth.client_id, auth.client_secret, auth.client_secret_file,
      std::move(exchange).value()));
}

}  // namespace

Result<std::shared_ptr<VaultAuthenticator>> VaultAuthenticator::Create(const CredentialOptions& auth) {
  Result<std::shared_ptr<TokenSource>> source = MakeSource(auth);
  if (!source.ok()) return source.status();
  auto cache = std::make_shared<TokenCache>(std::move(source).value());
  return std::shared_ptr<VaultAuthenticator>(std::make_shared<ChallengeAuthenticator>(
      std::move(cache), TenantPolicy(auth.tenant, auth.additionally_allowed_tenants)));
}

}  // namespace geoekm
