// LoginConfig: the JSON configuration of one `vaultsim login` process (the
// Entra ID token service plus the managed-identity endpoints). The file
// format is documented in README.md, section "vaultsim login".
//
// Thread safety: a plain value, immutable after parsing.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/secure_bytes.h"

namespace geoekm::vaultsim {

// A registered application (service principal) that may use client_credentials.
struct LoginApp {
  std::string client_id;
  std::string tenant;
  std::vector<SecureString> secrets;            // inline "secrets" plus "secret_file" content
  std::vector<std::string> certificate_files;   // PEM certificates registered for the app
};

// A managed identity: tokens carry appid = app_id (defaults to client_id), so
// an identity can be mapped onto an app that vault access policies know.
struct ManagedIdentity {
  std::string client_id;
  std::string object_id;     // IMDS object_id / App Service principal_id
  std::string resource_id;   // msi_res_id / mi_res_id
  std::string app_id;
  std::string tenant;
  bool system_assigned = false;  // answers requests that name no identity
};

struct LoginConfig {
  std::string host = "login.vault.test";  // used in every URL the service hands out
  int port = 0;                            // HTTPS; 0 = a free port
  std::string port_file;
  std::string tls_cert;
  std::string tls_key;
  std::string signing_key;   // RSA private key PEM: signs access tokens
  std::string signing_cert;  // its certificate (published in the JWKS)
  std::vector<std::string> tenants;
  std::vector<std::string> resources;  // accepted resources; empty = any https resource
  int token_lifetime_seconds = 3599;
  // Issue tokens as if the clock were shifted (negative = already expired
  // tokens for expiry tests when |offset| > lifetime).
  int clock_offset_seconds = 0;
  std::vector<LoginApp> apps;

  // Managed identity endpoints (plain HTTP, like IMDS). Disabled when
  // managed_identity_enabled is false.
  bool managed_identity_enabled = false;
  int managed_identity_port = 0;
  std::string managed_identity_port_file;
  std::string identity_header;  // App Service X-IDENTITY-HEADER value; empty = App Service endpoint off
  std::vector<ManagedIdentity> managed_identities;

  const LoginApp* FindApp(const std::string& client_id) const;
  bool HasTenant(const std::string& tenant) const;
};

// Parses and validates; secret files are read here. Relative paths are
// resolved against base_dir (the config file's folder). Errors name the field.
Result<LoginConfig> ParseLoginConfig(const std::string& json_text, const std::string& base_dir);
Result<LoginConfig> LoadLoginConfig(const std::string& path);

}  // namespace geoekm::vaultsim
