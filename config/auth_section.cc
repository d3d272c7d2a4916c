// [auth]: the Entra ID tenant and exactly one way to get tokens.
#include <filesystem>

#include "keyvault/keys/azure_names.h"
#include "config/endpoint_syntax.h"
#include "config/referenced_file.h"
#include "config/section_reader.h"
#include "config/vault_set_sections.h"
#include "core/error_codes.h"

namespace geoekm {
namespace {

constexpr const char* kCredentialForms =
    "exactly one of: client_id + client_secret; client_id + client_secret_file; credential "
    "(<client id as 32 hex digits><secret>); client_id + certificate_file [+ certificate_key_file, certificate_password_file]; "
    "managed_identity = true [+ managed_identity_client_id, managed_identity_endpoint]";

class AuthReader {
 public:
  AuthReader(const ConfigDocument& doc, const ConfigTable* table, ConfigDiagnostics& diag)
      : doc_(doc),
        diag_(diag),
        r_(table, doc.AbsentSection("auth"), doc.syntax,
           {"tenant", "authority_host", "token_endpoint", "ca_bundle", "connect_to", "client_id", "client_secret",
            "client_secret_file", "credential", "certificate_file", "certificate_key_file", "certificate_password_file",
            "managed_identity", "managed_identity_client_id", "managed_identity_endpoint",
            "additionally_allowed_tenants"},
           diag) {}

  CredentialOptions Read() {
    ReadTenantAndEndpoints();
    ReadCredential();
    return out_;
  }

 private:
  void ReadTenantAndEndpoints() {
    if (auto tenant = r_.String("tenant", SectionReader::Need::kRequired)) {
      if (IsTenant(*tenant)) {
        out_.tenant = *tenant;
      } else {
        r_.Error("tenant", "'" + *tenant + "' is not a tenant id",
                 "a GUID (directory id) or a verified domain such as contoso.onmicrosoft.com");
      }
    }
    ReadAdditionalTenants();
    if (auto authority = r_.String("authority_host")) {
      Result<Endpoint> endpoint = ParseServiceUrl(*authority);
      if (endpoint.ok()) {
        out_.authority_host = endpoint->Normalized();
      } else {
        r_.Error("authority_host", "'" + *authority + "': " + endpoint.status().message(),
                 "https://host[:port] (default https://login.microsoftonline.com)");
      }
    }
    if (auto version = r_.String("token_endpoint")) {
      if (*version == "v2") {
        out_.endpoint_version = TokenEndpointVersion::kV2;
      } else if (*version == "v1") {
        out_.endpoint_version = TokenEndpointVersion::kV1;
      } else {
        r_.Error("token_endpoint", "'" + *version + "' is not a token endpoint version", "v2 (default), v1");
      }
    }
    if (auto ca_bundle = r_.String("ca_bundle")) {
      out_.ca_bundle = ResolveConfigPath(doc_.file, *ca_bundle);
      if (auto problem = CheckReadableFile(out_.ca_bundle)) r_.Error("ca_bundle", out_.ca_bundle + " " + *problem);
    }
    if (auto connect_to = r_.String("connect_to")) {
      Result<Endpoint> endpoint = ParseHostPort(*connect_to);
      if (endpoint.ok()) {
        out_.connect_to_host = endpoint->host;
        out_.connect_to_port = endpoint->port;
      } else {
        r_.Error("connect_to", "'" + *connect_to + "': " + endpoint.status().message(), "host:port or [ipv6]:port");
      }
    }
  }

  // Tenants a vault's challenge may name besides `tenant` (a vault in another
  // tenant, as Azure.Identity's AdditionallyAllowedTenants); "*" = any.
  void ReadAdditionalTenants() {
    auto tenants = r_.List("additionally_allowed_tenants");
    if (!tenants) return;
    for (const std::string& t : *tenants) {
      if (t == "*" || IsTenant(t)) {
        out_.additionally_allowed_tenants.push_back(t);
      } else {
        r_.Error("additionally_allowed_tenants", "'" + t + "' is not a tenant id",
                 "GUIDs or verified domains such as contoso.onmicrosoft.com, or * for any tenant");
      }
    }
  }

  void ReadCredential() {
    bool managed_identity = r_.Bool("managed_identity").value_or(false);
    std::vector<std::string> kinds;
    if (r_.Has("client_secret") || r_.Has("client_secret_file")) kinds.push_back("client secret");
    if (r_.Has("credential")) kinds.push_back("credential");
    if (r_.Has("certificate_file")) kinds.push_back("certificate_file");
    if (managed_identity) kinds.push_back("managed_identity");
    if (kinds.empty()) {
      diag_.Error(r_.where(), "no credential configured in " + r_.label(), kCredentialForms);
    } else if (kinds.size() > 1) {
      diag_.Error(r_.where(), "more than one credential kind in " + r_.label() + ": " + JoinForMessage(kinds),
                  kCredentialForms);
    }
    bool needs_client_id = r_.Has("client_secret") || r_.Has("client_secret_file") || r_.Has("certificate_file");
    ReadClientId(needs_client_id, managed_identity);
    if (r_.Has("client_secret") || r_.Has("client_secret_file")) ReadClientSecret();
    if (r_.Has("credential")) ReadCredentialString();
    if (r_.Has("certificate_file")) ReadCertificate();
    ReadManagedIdentity(managed_identity);
    for (const char* key : {"certificate_key_file", "certificate_password_file"}) {
      if (r_.Has(key) && !r_.Has("certificate_file")) r_.Error(key, "is only used with certificate_file");
    }
  }

  void ReadClientId(bool needed, bool managed_identity) {
    if (!r_.Has("client_id")) {
      if (needed) {
        diag_.Error(r_.where(), "missing required key 'client_id' in " + r_.label() +
                                    " (client secrets and certificates belong to an application)");
      }
      return;
    }
    if (r_.Has("credential")) {
      r_.Error("client_id", "not allowed with credential, which already starts with the client id");
    } else if (managed_identity) {
      r_.Error("client_id", "not used with managed_identity",
               "managed_identity_client_id for a user-assigned identity");
    }
    if (auto id = r_.String("client_id")) {
      if (IsClientId(*id)) {
        out_.client_id = *id;
      } else {
        r_.Error("client_id", "'" + *id + "' is not an application (client) id",
                 "32 hex digits, or a GUID (8-4-4-4-12 hex digits)");
      }
    }
  }

  // The config file itself holds a secret: it must be as private as a
  // secret file would be.
  void RequirePrivateConfigFile(const std::string& key) {
    if (auto problem = CheckOwnerOnlyMode(doc_.file)) {
      r_.Error(key, "the configuration file " + *problem + ", or move the secret to client_secret_file");
    }
  }

  void ReadClientSecret() {
    out_.kind = CredentialKind::kClientSecret;
    if (r_.Has("client_secret") && r_.Has("client_secret_file")) {
      r_.Error("client_secret_file", "given together with client_secret", "one of client_secret, client_secret_file");
    }
    if (auto secret = r_.String("client_secret")) {
      out_.client_secret.assign(secret->begin(), secret->end());
      RequirePrivateConfigFile("client_secret");
    }
    if (auto file = r_.String("client_secret_file")) {
      out_.client_secret_file = ResolveConfigPath(doc_.file, *file);
      CheckSecretFile("client_secret_file", out_.client_secret_file);
    }
  }

  // The SQL credential form: SECRET = '<client id without hyphens><secret>'.
  void ReadCredentialString() {
    out_.kind = CredentialKind::kClientSecret;
    for (const char* key : {"client_secret", "client_secret_file"}) {
      if (r_.Has(key)) r_.Error(key, "not allowed with credential, which already carries the secret");
    }
    auto credential = r_.String("credential", SectionReader::Need::kOptional, /*allow_empty=*/true);
    if (!credential) return;
    RequirePrivateConfigFile("credential");
    // Never echo the credential: it contains the secret.
    if (credential->size() < 32) {
      diag_.ErrorWithCode(
          codes::kPasswordTooShort, r_.Where("credential"),
          "the credential is " + std::to_string(credential->size()) +
              " characters; it is the client id (32 hex digits, no hyphens) followed by the client secret, "
              "so it cannot be shorter than 32 characters (connector: \"" +
              std::string(codes::Describe(codes::kPasswordTooShort)) + "\")",
          "<32 hex digits of the client id><client secret>");
      return;
    }
    if (!IsHex32(std::string_view(*credential).substr(0, 32))) {
      r_.Error("credential", "its first 32 characters are not the client id as 32 hex digits",
               "<32 hex digits of the client id, no hyphens><client secret>");
      return;
    }
    if (credential->size() == 32) {
      r_.Error("credential", "has no client secret after the 32-digit client id",
               "<32 hex digits of the client id><client secret>");
      return;
    }
    out_.client_id = credential->substr(0, 32);
    out_.client_secret.assign(credential->begin() + 32, credential->end());
  }

  void ReadCertificate() {
    out_.kind = CredentialKind::kCertificate;
    bool separate_key = r_.Has("certificate_key_file");
    if (auto file = r_.String("certificate_file")) {
      // A PEM with the key, or a PFX, holds the private key: a secret. With a
      // separate key file the certificate alone is public.
      out_.certificate_file = ResolveConfigPath(doc_.file, *file);
      if (!separate_key) {
        CheckSecretFile("certificate_file", out_.certificate_file);
      } else if (auto problem = CheckReadableFile(out_.certificate_file)) {
        r_.Error("certificate_file", out_.certificate_file + " " + *problem);
      }
    }
    if (auto file = r_.String("certificate_key_file")) {
      out_.certificate_key_file = ResolveConfigPath(doc_.file, *file);
      CheckSecretFile("certificate_key_file", out_.certificate_key_file);
    }
    if (auto file = r_.String("certificate_password_file")) {
      out_.certificate_password_file = ResolveConfigPath(doc_.file, *file);
      CheckSecretFile("certificate_password_file", out_.certificate_password_file);
    }
  }

  void ReadManagedIdentity(bool enabled) {
    if (enabled) out_.kind = CredentialKind::kManagedIdentity;
    for (const char* key : {"managed_identity_client_id", "managed_identity_endpoint"}) {
      if (r_.Has(key) && !enabled) r_.Error(key, "is only used with managed_identity = true");
    }
    if (auto id = r_.String("managed_identity_client_id")) {
      if (IsClientId(*id)) {
        out_.managed_identity_client_id = *id;
      } else {
        r_.Error("managed_identity_client_id", "'" + *id + "' is not a client id",
                 "32 hex digits, or a GUID (8-4-4-4-12 hex digits)");
      }
    }
    if (auto endpoint_text = r_.String("managed_identity_endpoint")) {
      Result<Endpoint> endpoint = ParseServiceUrl(*endpoint_text, /*allow_http=*/true);
      if (endpoint.ok()) {
        out_.managed_identity_endpoint = endpoint->Normalized();
      } else {
        r_.Error("managed_identity_endpoint", "'" + *endpoint_text + "': " + endpoint.status().message(),
                 "http://host[:port] or https://host[:port] (default: the Azure instance metadata service)");
      }
    }
  }

  void CheckSecretFile(const std::string& key, const std::string& path) {
    if (auto problem = CheckPrivateFile(path)) {
      r_.Error(key, path + " " + *problem);
      return;
    }
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) == 0 && !ec) r_.Error(key, path + " is empty");
  }

  const ConfigDocument& doc_;
  ConfigDiagnostics& diag_;
  SectionReader r_;
  CredentialOptions out_;
};

}  // namespace

CredentialOptions ReadAuthSection(const ConfigDocument& doc, ConfigDiagnostics& diag) {
  const ConfigTable* table = doc.Section("auth");
  if (!table) {
    diag.Error(doc.AbsentSection("auth"), "missing required section", std::string("tenant and ") + kCredentialForms);
    return CredentialOptions{};
  }
  return AuthReader(doc, table, diag).Read();
}

}  // namespace geoekm
