// Validation of a client_assertion (docs/ARCHITECTURE.md §Entra tokens) against the
// certificates registered for an app: the JWT header names the certificate by
// x5t (SHA-1) and/or x5t#S256 (SHA-256 of the DER), the signature is RS256
// (PKCS#1 v1.5) or PS256 (PSS, what newer MSAL sends with x5t#S256), aud must
// be the token endpoint URL, iss = sub = client id, nbf <= now < exp.
//
// Thread safety: immutable after loading; Validate may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "vaultsim/login_error.h"

namespace geoekm::vaultsim {

class RegisteredCertificates {
 public:
  // Loads every PEM certificate file (one certificate per file is read).
  static Result<std::shared_ptr<const RegisteredCertificates>> Load(const std::vector<std::string>& pem_files);
  virtual ~RegisteredCertificates() = default;

  // nullopt = valid. accepted_audiences: the token endpoint URLs this request
  // may name (compared without a trailing slash).
  virtual std::optional<EntraError> Validate(const std::string& assertion, const std::string& client_id,
                                             const std::vector<std::string>& accepted_audiences,
                                             std::int64_t now) const = 0;
};

}  // namespace geoekm::vaultsim
