#include "tests/support/test_tokens.h"

#include <cstdio>
#include <ctime>

#include "vaultsim/access_token.h"

namespace geoekm::testing {

std::string MintAccessToken(const TestPkiFiles& pki, const TokenSpec& spec) {
  auto issuer = vaultsim::AccessTokenIssuer::FromKeyFile(pki.signing_key());
  if (!issuer.ok()) {
    std::fprintf(stderr, "MintAccessToken: %s\n", issuer.status().message().c_str());
    return "";
  }
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  vaultsim::AccessTokenClaims claims;
  claims.tenant = spec.tenant;
  claims.audience = spec.audience;
  claims.app_id = spec.client_id;
  claims.issuer = "https://sts.windows.net/" + spec.tenant + "/";
  if (spec.lifetime_seconds >= 0) {
    claims.issued_at = claims.not_before = now - 60;
    claims.expires = now + spec.lifetime_seconds;
  } else {
    claims.issued_at = claims.not_before = now + spec.lifetime_seconds - 3600;
    claims.expires = now + spec.lifetime_seconds;
  }
  auto token = (*issuer)->Issue(claims);
  if (!token.ok()) {
    std::fprintf(stderr, "MintAccessToken: %s\n", token.status().message().c_str());
    return "";
  }
  return token.value();
}

}  // namespace geoekm::testing
