// Mints vaultsim access tokens in-process with the test PKI's signing key
// (the same RS256 JWTs the login service issues), so tests can talk to a
// vault without running the login service.
//
// Thread safety: pure functions (each call loads the key).
#pragma once

#include <cstdint>
#include <string>

#include "tests/support/test_pki_files.h"

namespace geoekm::testing {

// Defaults every fixture uses.
inline constexpr const char* kTestTenant = "8e2c4b5a-1f3d-4c6e-9a7b-0d1e2f3a4b5c";
inline constexpr const char* kTestResource = "https://vault.test";
inline constexpr const char* kTestClientId = "a1b2c3d4e5f60718293a4b5c6d7e8f90";       // policy "all"
inline constexpr const char* kReadOnlyClientId = "b2c3d4e5f60718293a4b5c6d7e8f90a1";   // get, list
inline constexpr const char* kWrapOnlyClientId = "c3d4e5f60718293a4b5c6d7e8f90a1b2";   // get, wrapKey, unwrapKey

struct TokenSpec {
  std::string client_id = kTestClientId;
  std::string tenant = kTestTenant;
  std::string audience = kTestResource;
  std::int64_t lifetime_seconds = 3600;  // negative: already expired
};

// Aborts the test (via an empty string + stderr) only if the key is unusable.
std::string MintAccessToken(const TestPkiFiles& pki, const TokenSpec& spec = {});
inline std::string BearerHeader(const std::string& token) { return "Bearer " + token; }

}  // namespace geoekm::testing
