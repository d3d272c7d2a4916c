#include "vaultsim/login_token_minter.h"

namespace geoekm::vaultsim {

std::string TokenIssuerFor(const std::string& tenant) { return "https://sts.windows.net/" + tenant + "/"; }

Result<MintedToken> LoginTokenMinter::Mint(const std::string& tenant, const std::string& app_id,
                                           const std::string& audience, std::int64_t now) const {
  AccessTokenClaims claims;
  claims.tenant = tenant;
  claims.audience = audience;
  claims.app_id = app_id;
  claims.issuer = TokenIssuerFor(tenant);
  claims.issued_at = now + offset_;
  // Entra ID back-dates nbf by 5 minutes to absorb clock skew.
  claims.not_before = claims.issued_at - 300;
  claims.expires = claims.issued_at + lifetime_;
  auto jwt = issuer_->Issue(claims);
  if (!jwt.ok()) return jwt.status();
  MintedToken t;
  t.jwt = std::move(jwt).value();
  t.issued_at = claims.issued_at;
  t.not_before = claims.not_before;
  t.expires = claims.expires;
  t.lifetime = lifetime_;
  return t;
}

}  // namespace geoekm::vaultsim
