#include "keyvault/keys/challenge_auth_policy.h"

#include <string_view>
#include <utility>

namespace geoekm {

Result<SecureString> ChallengeAuthPolicy::Token(Deadline deadline) {
  if (!auth_.Challenged(host_)) return SecureString();
  return auth_.CachedOrFreshToken(host_, deadline);
}

Result<ChallengeAuthPolicy::Step> ChallengeAuthPolicy::OnResponse(const Result<HttpResponse>& response,
                                                                  bool was_probe, const SecureString& token,
                                                                  Deadline deadline) {
  if (!response.ok()) return Step::kFinal;
  if (response->status == 401 && !answered_) {
    answered_ = true;
    auto fresh = auth_.OnChallenge(host_, response->header("www-authenticate"),
                                   std::string_view(token.data(), token.size()), deadline);
    if (!fresh.ok()) return fresh.status();
    return Step::kChallengeAnswered;
  }
  if (was_probe && response->status >= 200 && response->status < 300) {
    no_challenge_ = true;
    return Step::kProbeAccepted;
  }
  return Step::kFinal;
}

}  // namespace geoekm
