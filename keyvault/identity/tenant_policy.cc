#include "keyvault/identity/tenant_policy.h"

#include <Poco/String.h>

#include <algorithm>

#include "keyvault/keys/azure_names.h"
#include "core/error_codes.h"
#include "keyvault/http/untrusted_text.h"

namespace geoekm {
namespace {

bool SameTenant(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Poco::icompare(std::string(a), std::string(b)) == 0;
}

}  // namespace

TenantPolicy::TenantPolicy(std::string configured, std::vector<std::string> additionally_allowed)
    : configured_(std::move(configured)), allowed_(std::move(additionally_allowed)) {}

Result<std::string> TenantPolicy::Resolve(std::string_view challenge_tenant) const {
  if (!IsTenant(challenge_tenant)) {
    return Status(codes::kChallengeMalformed, ErrorClass::kAuth,
                  "the challenge names tenant '" + EscapeControlBytes(challenge_tenant) +
                      "', which is not a tenant id (a GUID or a domain name); no token is requested");
  }
  if (SameTenant(challenge_tenant, configured_)) return configured_;
  const bool allowed = std::any_of(allowed_.begin(), allowed_.end(), [&](const std::string& t) {
    return t == "*" || SameTenant(challenge_tenant, t);
  });
  if (allowed) return std::string(challenge_tenant);
  return Status(codes::kChallengeTenantNotAllowed, ErrorClass::kAuth,
                "the challenge names tenant '" + std::string(challenge_tenant) + "', not the configured tenant '" +
                    configured_ + "'; no credential is sent to it (list it in [auth] additionally_allowed_tenants "
                    "if the vault belongs to that tenant)");
}

}  // namespace geoekm
