// The vaults: one table per vault, then the rules over the whole set.
#include <Poco/Ascii.h>
#include <Poco/String.h>

#include <algorithm>
#include <map>

#include "keyvault/keys/azure_names.h"
#include "config/endpoint_syntax.h"
#include "config/referenced_file.h"
#include "config/section_reader.h"
#include "config/vault_set_sections.h"

namespace geoekm {
namespace {

bool IsVaultName(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return Poco::Ascii::isAlphaNumeric(c) || c == '-' || c == '_';
  });
}

bool IsRegion(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return Poco::Ascii::isAlphaNumeric(c) || c == '-'; });
}

std::string GeographyCodes() {
  std::string out;
  for (const AzureGeography& g : AzureGeographies()) out += (out.empty() ? "" : ", ") + std::string(g.code);
  return out;
}

struct ReadVault {
  VaultConfig vault;
  ConfigLocation where;
  ConfigLocation priority_where;
  ConfigLocation url_where;
  ConfigLocation connect_to_where;
  bool has_name = false;
  bool has_priority = false;
};

// "host:port" in lower case: what two vaults must not share.
std::string Address(const std::string& host, int port) {
  const std::string h = Poco::toLower(host);
  return (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

ReadVault ReadOneVault(const ConfigDocument& doc, const ConfigTable& table, ConfigDiagnostics& diag) {
  ReadVault out;
  out.where = table.where;
  SectionReader reader(&table, {}, doc.syntax,
                       {"name", "url", "region", "geography", "priority", "connect_to", "ca_bundle",
                        "connect_timeout_ms", "try_timeout_ms"},
                       diag);
  VaultConfig& v = out.vault;
  if (auto name = reader.String("name", SectionReader::Need::kRequired)) {
    if (IsVaultName(*name)) {
      v.name = *name;
      out.has_name = true;
    } else {
      reader.Error("name", "'" + *name + "' is not a valid vault name", "1 to 64 characters of A-Z a-z 0-9 - _");
    }
  }
  if (auto url = reader.String("url", SectionReader::Need::kRequired)) {
    Result<Endpoint> endpoint = ParseServiceUrl(*url);
    if (endpoint.ok()) {
      v.url = endpoint->Normalized();
      v.host = endpoint->host;
      v.port = endpoint->port;
      out.url_where = reader.Where("url");
    } else {
      reader.Error("url", "'" + *url + "': " + endpoint.status().message(),
                   "https://host[:port], e.g. https://contoso-eastus.vault.azure.net");
    }
  }
  if (auto region = reader.String("region", SectionReader::Need::kRequired)) {
    if (IsRegion(*region)) {
      v.region = *region;
    } else {
      reader.Error("region", "'" + *region + "' is not an Azure region name", "e.g. eastus, westeurope, japaneast");
    }
  }
  if (auto geography = reader.String("geography", SectionReader::Need::kRequired)) {
    v.geography = CanonicalGeography(*geography);
    if (v.geography.empty()) {
      reader.Error("geography", "'" + *geography + "' is not a known Azure geography",
                   GeographyCodes() + " (case-insensitive)");
    }
  }
  if (auto priority = reader.Integer("priority", 0, 1000000, SectionReader::Need::kRequired)) {
    v.priority = static_cast<int>(*priority);
    out.has_priority = true;
    out.priority_where = reader.Where("priority");
  }
  if (auto connect_to = reader.String("connect_to")) {
    Result<Endpoint> endpoint = ParseHostPort(*connect_to);
    if (endpoint.ok()) {
      v.connect_to_host = endpoint->host;
      v.connect_to_port = endpoint->port;
      out.connect_to_where = reader.Where("connect_to");
    } else {
      reader.Error("connect_to", "'" + *connect_to + "': " + endpoint.status().message(),
                   "host:port or [ipv6]:port");
    }
  }
  if (auto ca_bundle = reader.String("ca_bundle")) {
    v.ca_bundle = ResolveConfigPath(doc.file, *ca_bundle);
    if (auto problem = CheckReadableFile(v.ca_bundle)) reader.Error("ca_bundle", v.ca_bundle + " " + *problem);
  }
  if (auto ms = reader.Integer("connect_timeout_ms", 1, 60000)) v.connect_timeout = std::chrono::milliseconds(*ms);
  if (auto ms = reader.Integer("try_timeout_ms", 1, 300000)) v.try_timeout = std::chrono::milliseconds(*ms);
  return out;
}

}  // namespace

std::vector<VaultConfig> ReadVaultSections(const ConfigDocument& doc, const ProviderConfig& provider,
                                           ConfigDiagnostics& diag) {
  std::vector<ReadVault> read;
  for (const ConfigTable& table : doc.vaults) read.push_back(ReadOneVault(doc, table, diag));

  const char* how = doc.syntax == ConfigSyntax::kIni ? "[vault.<name>] sections" : "objects in \"vaults\"";
  ConfigLocation set_where{doc.file, 0, doc.syntax == ConfigSyntax::kIni ? "" : "vaults"};
  if (read.empty()) {
    diag.Error(set_where, std::string("no vaults configured"),
               std::string("2 or more ") + how + " (1 with provider single_vault = true)");
  } else if (read.size() == 1 && !provider.single_vault) {
    diag.Error(read[0].where,
               "only 1 vault configured; failover needs at least 2 (set single_vault = true in the provider "
               "section to run without failover)",
               std::string("2 or more ") + how);
  } else if (read.size() > 1 && provider.single_vault) {
    diag.Warning(set_where, "single_vault = true has no effect with " + std::to_string(read.size()) + " vaults");
  }

  std::map<std::string, const ReadVault*> names;  // lower-case name
  std::map<int, const ReadVault*> priorities;
  // Two vaults at one address are one vault twice: failover between them
  // gains nothing, and health and history would be split between two names.
  std::map<std::string, const ReadVault*> urls;         // host:port of the url
  std::map<std::string, const ReadVault*> connect_tos;  // host:port of connect_to
  for (const ReadVault& r : read) {
    if (!r.vault.host.empty()) {
      auto [it, fresh] = urls.emplace(Address(r.vault.host, r.vault.port), &r);
      if (!fresh) {
        diag.Error(r.url_where, "url " + r.vault.url + " is also the url of vault '" + it->second->vault.name +
                                    "' (at " + it->second->url_where.ToString() + ")",
                   "a different vault (host and port) for every vault");
      }
    }
    if (!r.vault.connect_to_host.empty()) {
      auto [it, fresh] = connect_tos.emplace(Address(r.vault.connect_to_host, r.vault.connect_to_port), &r);
      if (!fresh) {
        diag.Error(r.connect_to_where, "connect_to " + it->first + " is also where vault '" +
                                           it->second->vault.name + "' connects (at " +
                                           it->second->connect_to_where.ToString() + ")",
                   "a different connect_to host:port for every vault");
      }
    }
    if (r.has_name) {
      auto [it, fresh] = names.emplace(Poco::toLower(r.vault.name), &r);
      if (!fresh) {
        diag.Error(r.where, "vault name '" + r.vault.name + "' is used twice (also at " +
                                it->second->where.ToString() + ")",
                   "unique names (case-insensitive)");
      }
    }
    if (r.has_priority) {
      auto [it, fresh] = priorities.emplace(r.vault.priority, &r);
      if (!fresh) {
        diag.Error(r.priority_where, "priority " + std::to_string(r.vault.priority) + " is used twice (also at " +
                                         it->second->priority_where.ToString() + ")",
                   "a different priority for every vault; lower is preferred");
      }
    }
  }

  std::vector<VaultConfig> vaults;
  for (ReadVault& r : read) vaults.push_back(std::move(r.vault));
  std::stable_sort(vaults.begin(), vaults.end(),
                   [](const VaultConfig& a, const VaultConfig& b) { return a.priority < b.priority; });
  return vaults;
}

}  // namespace geoekm
