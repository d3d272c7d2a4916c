// ChallengeAuthPolicy: one call's side of Key Vault's challenge-based
// authentication (docs/ARCHITECTURE.md §Challenge auth), the first policy of
// KeyVaultClient's pipeline — as the .NET SDK's challenge policy does it:
//
// - Until the vault host has challenged, a request goes without a token and
//   WITHOUT ITS BODY (a wrap's body is the DEK): the answer is the 401.
// - A 401 is answered once per call: the authenticator checks the
//   challenge's domain and tenant and gives a token; the request is sent
//   again, with its body. A 401 to a cached token refreshes it (once).
// - A 2xx to the body-less probe means this vault does not challenge: the
//   request is sent again as it is.
//
// Thread safety: one object per call, used by that call's thread only; the
// authenticator it borrows is thread-safe.
#pragma once

#include <string>

#include "core/deadline.h"
#include "core/result.h"
#include "core/secure_bytes.h"
#include "keyvault/http/http_message.h"
#include "keyvault/identity/vault_authenticator.h"

namespace geoekm {

class ChallengeAuthPolicy {
 public:
  ChallengeAuthPolicy(VaultAuthenticator& authenticator, const std::string& vault_host)
      : auth_(authenticator), host_(vault_host) {}

  // The token for the next send (empty until the host has challenged).
  Result<SecureString> Token(Deadline deadline);

  // Whether the next send goes without its body: no token yet, a body to
  // protect, and the vault has not shown that it does not challenge.
  bool HoldsBodyBack(const SecureString& token, const HttpRequest& request) const {
    return token.empty() && !request.body.empty() && !no_challenge_;
  }

  enum class Step {
    kChallengeAnswered,  // a 401 was answered with a token: send again
    kProbeAccepted,      // the body-less probe got a 2xx: send again, with the body
    kFinal,              // the response is the call's answer (success or error)
  };
  // What a response means for the call. Fails when the challenge is refused
  // (wrong domain or tenant) or no token can be had.
  Result<Step> OnResponse(const Result<HttpResponse>& response, bool was_probe, const SecureString& token,
                          Deadline deadline);

 private:
  VaultAuthenticator& auth_;
  const std::string& host_;
  bool answered_ = false;     // a 401 is answered once per call
  bool no_challenge_ = false;
};

}  // namespace geoekm
