// CredentialOptions: how geoekm proves who it is to Entra ID — the tenant,
// the authority, and exactly one credential kind (client secret, certificate,
// managed identity) with where its parts are read from. The identity layer
// (VaultAuthenticator and the token sources) is built from it; config holds
// one, read from the [auth] section (README.md, "Configuration reference").
//
// Secrets are not held here, only where to read them from — except a client
// secret given inline (the connector's credential form), kept in a
// SecureString.
//
// Thread safety: a plain value.
#pragma once

#include <string>
#include <vector>

#include "core/secure_bytes.h"

namespace geoekm {

enum class CredentialKind { kClientSecret, kCertificate, kManagedIdentity };
enum class TokenEndpointVersion { kV2, kV1 };

struct CredentialOptions {
  std::string tenant;
  // Tenants other than `tenant` that a vault's challenge may name (a vault
  // in another tenant); "*" = any. Empty: only `tenant`.
  std::vector<std::string> additionally_allowed_tenants;
  std::string authority_host = "https://login.microsoftonline.com";
  CredentialKind kind = CredentialKind::kClientSecret;
  TokenEndpointVersion endpoint_version = TokenEndpointVersion::kV2;
  std::string client_id;  // 32 hex without hyphens, or a GUID
  // client secret: inline (from the credential string) or a 0600 file.
  SecureString client_secret;
  std::string client_secret_file;
  // certificate: PEM (cert + key) or PFX, optional password file.
  std::string certificate_file;
  std::string certificate_password_file;
  std::string certificate_key_file;  // PEM private key when not inside certificate_file
  // managed identity: optional user-assigned client id, optional endpoint
  // override (IMDS-style) for tests and non-Azure hosts.
  std::string managed_identity_client_id;
  std::string managed_identity_endpoint;
  std::string ca_bundle;  // for the authority; empty = system store
  // curl --connect-to style override for the authority: connect here, keep
  // SNI/Host/certificate checks against the authority's host.
  std::string connect_to_host;
  int connect_to_port = 0;
};

}  // namespace geoekm
