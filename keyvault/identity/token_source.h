// TokenSource: one way of obtaining an access token (client secret,
// certificate, managed identity). The token cache calls Fetch() at most once
// at a time per (tenant, resource); a source does not cache.
//
// HttpExchange is the seam to the network: production code binds it to an
// HttpsTransport (authority) or a plain-HTTP exchange (IMDS); unit tests bind
// it to a lambda.
//
// Thread safety: Fetch() may be called concurrently for different scopes.
#pragma once

#include <functional>
#include <string>

#include "core/deadline.h"
#include "core/result.h"
#include "keyvault/identity/access_token.h"
#include "keyvault/http/http_message.h"

namespace geoekm {

struct TokenScope {
  std::string tenant;    // from the challenge; ignored by managed identity
  std::string resource;  // e.g. "https://vault.azure.net" (scope = resource + "/.default")

  bool operator==(const TokenScope&) const = default;
};

using HttpExchange = std::function<Result<HttpResponse>(const HttpRequest&, Deadline)>;

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual Result<AccessToken> Fetch(const TokenScope& scope, Deadline deadline) = 0;
  // Identifies authority + client for the cache key, e.g.
  // "https://login.microsoftonline.com|<client id>". Never secret.
  virtual std::string identity() const = 0;
};

}  // namespace geoekm
