// ClientCertificateSource: client_credentials grant with a signed client
// assertion (docs/ARCHITECTURE.md §Entra tokens) against the configured authority.
//
// Thread safety: Fetch() may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "keyvault/identity/client_assertion.h"
#include "keyvault/identity/token_endpoint.h"
#include "keyvault/identity/token_source.h"

namespace geoekm {

class ClientCertificateSource : public TokenSource {
 public:
  ClientCertificateSource(TokenEndpoint endpoint, std::string client_id,
                          std::shared_ptr<const ClientCertificate> certificate, HttpExchange authority);

  Result<AccessToken> Fetch(const TokenScope& scope, Deadline deadline) override;
  std::string identity() const override { return endpoint_.authority() + "|" + client_id_ + "|cert"; }

 private:
  TokenEndpoint endpoint_;
  std::string client_id_;
  std::shared_ptr<const ClientCertificate> certificate_;
  HttpExchange authority_;
};

}  // namespace geoekm
