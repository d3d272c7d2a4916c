// TenantPolicy: which Entra ID tenant a token is requested from when a
// vault's 401 challenge names one. The challenge is the vault's word, so it
// must not choose where the credential goes: the configured tenant is used,
// and a challenge naming another tenant is refused unless the configuration
// lists it in additionally_allowed_tenants ("*" allows any, like
// Azure.Identity's AdditionallyAllowedTenants). Every tenant, from the
// challenge or the config, must be a tenant id (a GUID or a DNS domain name):
// anything else (an encoded "..", a slash) would change the token URL's path.
//
// Thread safety: an immutable value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace geoekm {

class TenantPolicy {
 public:
  TenantPolicy(std::string configured, std::vector<std::string> additionally_allowed);

  // The tenant to fetch a token from for a challenge that names
  // `challenge_tenant`. Fails with codes::kChallengeMalformed (3203) when it
  // is not a tenant id, codes::kChallengeTenantNotAllowed (5009) when it is
  // another tenant the configuration does not allow; both ErrorClass::kAuth.
  Result<std::string> Resolve(std::string_view challenge_tenant) const;

 private:
  std::string configured_;
  std::vector<std::string> allowed_;
};

}  // namespace geoekm
