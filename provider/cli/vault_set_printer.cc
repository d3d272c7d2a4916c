#include "provider/cli/vault_set_printer.h"

#include <Poco/NumberFormatter.h>

#include <iomanip>

#include "config/section_reader.h"
#include "config/vault_set_sections.h"

namespace geoekm::cli {
namespace {

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "?";
}

std::string HostPort(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Timeout(std::chrono::milliseconds own, std::chrono::milliseconds router_default) {
  return own.count() > 0 ? std::to_string(own.count()) + " ms"
                         : std::to_string(router_default.count()) + " ms (router default)";
}

void Row(std::ostream& out, int indent, const std::string& key, const std::string& value) {
  out << std::string(static_cast<std::size_t>(indent), ' ') << std::left << std::setw(32 - indent) << key << " "
      << value << "\n";
}

std::string Credential(const CredentialOptions& auth) {
  switch (auth.kind) {
    case CredentialKind::kClientSecret:
      return auth.client_secret_file.empty() ? "client secret (inline in the configuration file, not shown)"
                                             : "client secret from file " + auth.client_secret_file;
    case CredentialKind::kCertificate:
      return "certificate " + auth.certificate_file +
             (auth.certificate_key_file.empty() ? "" : " (key from " + auth.certificate_key_file + ")") +
             (auth.certificate_password_file.empty() ? "" : " (password from " + auth.certificate_password_file + ")");
    case CredentialKind::kManagedIdentity:
      return auth.managed_identity_client_id.empty()
                 ? "managed identity (system-assigned)"
                 : "managed identity (user-assigned, client id " + auth.managed_identity_client_id + ")";
  }
  return "?";
}

}  // namespace

void PrintVaultSet(const VaultSetConfig& config, std::ostream& out) {
  out << config.source_file << ": valid\n\nprovider\n";
  const ProviderConfig& p = config.provider;
  std::string keys;
  for (const std::string& k : p.key_names) keys += (keys.empty() ? "" : ", ") + k;
  Row(out, 2, "set_name", p.set_name);
  Row(out, 2, "key_names", keys);
  Row(out, 2, "wrap_algorithm", WrapAlgorithmName(p.wrap_algorithm));
  Row(out, 2, "state_path", p.state_path);
  Row(out, 2, "log_level", LogLevelName(p.log_level));
  Row(out, 2, "log_file", p.log_file.empty() ? "(stderr)" : p.log_file);
  Row(out, 2, "single_vault", p.single_vault ? "true" : "false");
  std::string pins;
  for (const auto& [key, thumbprint] : p.pinned_thumbprints) pins += (pins.empty() ? "" : ", ") + key + ":" + thumbprint;
  Row(out, 2, "pinned_thumbprints", pins.empty() ? "(none)" : pins);
  Row(out, 2, "key_size", std::to_string(p.key_size) + " (RSA bits of versions geoekm rotate generates)");

  out << "\nvaults (" << config.vaults.size() << ", in priority order; lower is preferred)\n";
  int rank = 0;
  for (const VaultConfig& v : config.vaults) {
    out << "  " << ++rank << ". " << v.name << "\n";
    Row(out, 5, "priority", std::to_string(v.priority));
    Row(out, 5, "region", v.region);
    Row(out, 5, "geography", v.geography);
    Row(out, 5, "url", v.url);
    Row(out, 5, "connect_to", v.connect_to_host.empty() ? "(none)" : HostPort(v.connect_to_host, v.connect_to_port));
    Row(out, 5, "ca_bundle", v.ca_bundle.empty() ? "(system store)" : v.ca_bundle);
    Row(out, 5, "connect_timeout", Timeout(v.connect_timeout, config.router.connect_timeout));
    Row(out, 5, "try_timeout", Timeout(v.try_timeout, config.router.try_timeout));
  }

  const CredentialOptions& a = config.auth;
  out << "\nauth\n";
  Row(out, 2, "tenant", a.tenant);
  Row(out, 2, "additionally_allowed_tenants",
      a.additionally_allowed_tenants.empty() ? "(none)" : JoinForMessage(a.additionally_allowed_tenants));
  Row(out, 2, "authority_host", a.authority_host);
  Row(out, 2, "token_endpoint", a.endpoint_version == TokenEndpointVersion::kV2 ? "v2" : "v1");
  if (!a.client_id.empty()) Row(out, 2, "client_id", a.client_id);
  Row(out, 2, "credential", Credential(a));
  if (!a.managed_identity_endpoint.empty()) Row(out, 2, "managed_identity_endpoint", a.managed_identity_endpoint);
  Row(out, 2, "ca_bundle", a.ca_bundle.empty() ? "(system store)" : a.ca_bundle);
  Row(out, 2, "connect_to", a.connect_to_host.empty() ? "(none)" : HostPort(a.connect_to_host, a.connect_to_port));

  out << "\nrouter\n";
  for (const RouterKnob& knob : RouterKnobs()) {
    double value = knob.get(config.router);
    std::string text = knob.kind == RouterKnob::Kind::kBool      ? (value != 0 ? "true" : "false")
                       : knob.kind == RouterKnob::Kind::kInteger ? std::to_string(static_cast<long long>(value))
                                                                 : Poco::NumberFormatter::format(value);
    Row(out, 2, knob.key, text);
  }

  out << "\nwarnings (" << config.warnings.size() << ")\n";
  for (const std::string& w : config.warnings) out << "  " << w << "\n";
}

}  // namespace geoekm::cli
