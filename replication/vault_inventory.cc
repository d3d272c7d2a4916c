#include "replication/vault_inventory.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include "core/error_codes.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm {
namespace {

using Clock = std::chrono::steady_clock;

Status CouldNotRead(const std::string& vault, const std::string& what) {
  return Status(codes::kFailure, ErrorClass::kInternal, what).WithVault(vault);
}

// The store's record of this vault's copies by version id, for copies whose
// material cannot be read now. Only records whose thumbprint the vault's
// material was (or was used as) — a mismatch record names other material.
std::vector<VaultKeyCopyRecord> UsableRecords(std::vector<VaultKeyCopyRecord> records) {
  std::erase_if(records, [](const VaultKeyCopyRecord& r) {
    return r.status != CopyStatus::kVerified && r.status != CopyStatus::kUnverified;
  });
  return records;
}

void ReadVault(VaultSetRuntime& runtime, const std::string& key_name, const InventoryOptions& options,
               const std::vector<VaultKeyCopyRecord>& recorded, VaultHoldings& out) {
  const auto started = Clock::now();
  const std::string& name = out.vault.name;
  if (options.progress) options.progress(name, "reading");
  const Deadline deadline = Deadline::After(options.per_vault_deadline);
  std::shared_ptr<KeyVaultKeys> keys = runtime.vault(name);
  if (!keys) {
    out.status = CouldNotRead(name, "no client for vault " + name);
  } else if (auto listed = keys->ListKeyVersions(key_name, deadline); !listed.ok()) {
    // Some services answer 404 for the versions of an unknown name (vaultsim
    // answers an empty list): either way the vault holds none.
    if (listed.status().code() != codes::kHttpNotFound) out.status = listed.status();
  } else {
    for (const KeyVersionItem& item : *listed) {
      VersionCopy copy;
      copy.version = item.version;
      copy.kid = item.kid;
      copy.attributes = item.attributes;
      auto bundle = keys->GetKey(key_name, item.version, deadline);
      if (bundle.ok()) {
        copy.kid = bundle->kid;
        copy.thumbprint = bundle->thumbprint;  // recomputed from n/e by the parser
        copy.thumbprint_source = ThumbprintSource::kRecomputed;
        copy.kty = bundle->kty;
        copy.key_size_bits = bundle->key_size_bits;
        copy.key_ops = bundle->key_ops;
        copy.attributes = bundle->attributes;
      } else {
        copy.read_status = bundle.status();
        for (const VaultKeyCopyRecord& r : recorded) {
          if (r.version_id == item.version && !r.thumbprint.empty()) {
            copy.thumbprint = r.thumbprint;
            copy.thumbprint_source = ThumbprintSource::kHistory;
            break;
          }
        }
      }
      out.versions.push_back(std::move(copy));
    }
    std::stable_sort(out.versions.begin(), out.versions.end(), [](const VersionCopy& a, const VersionCopy& b) {
      const std::int64_t ca = a.attributes.created.value_or(0), cb = b.attributes.created.value_or(0);
      return ca != cb ? ca < cb : a.version < b.version;
    });
    if (!out.versions.empty()) {
      // The vault's own answer for "the latest version" (GET /keys/{name}):
      // `created` has one-second resolution, so two versions made within
      // a second would otherwise tie. When that read fails (the latest is
      // disabled), the newest by `created` stands in.
      auto latest = keys->GetKey(key_name, "", deadline);
      out.latest_version = latest.ok() && out.FindVersion(latest->version) ? latest->version : out.versions.back().version;
    }
  }
  if (out.status.ok() && out.versions.empty()) {
    if (std::shared_ptr<KeyVaultDeletedKeys> deleted = runtime.deleted_keys(name); deleted) {
      auto found = deleted->GetDeletedKey(key_name, deadline);
      if (found.ok()) {
        out.deleted = std::move(found).value();
      } else {
        out.deleted_lookup_status = found.status();
      }
    }
  }
  out.read_time = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (options.progress) options.progress(name, "done");
}

}  // namespace

std::string_view ThumbprintSourceName(ThumbprintSource source) {
  switch (source) {
    case ThumbprintSource::kRecomputed: return "recomputed";
    case ThumbprintSource::kHistory: return "history";
    case ThumbprintSource::kUnknown: return "unknown";
  }
  return "unknown";
}

bool VersionCopy::HasKeyOp(std::string_view op) const {
  return std::find(key_ops.begin(), key_ops.end(), op) != key_ops.end();
}

const VersionCopy* VaultHoldings::FindVersion(std::string_view version) const {
  if (version.empty()) return nullptr;
  for (const VersionCopy& c : versions) {
    if (c.version == version) return &c;
  }
  return nullptr;
}

std::vector<const VersionCopy*> VaultHoldings::CopiesOf(std::string_view thumbprint) const {
  std::vector<const VersionCopy*> out;
  if (thumbprint.empty()) return out;
  for (const VersionCopy& c : versions) {
    if (c.thumbprint == thumbprint) out.push_back(&c);
  }
  return out;
}

const VaultHoldings* KeyInventory::Vault(std::string_view name) const {
  for (const VaultHoldings& v : vaults) {
    if (v.vault.name == name) return &v;
  }
  return nullptr;
}

const HistoricVersion* KeyInventory::History(std::string_view thumbprint) const {
  for (const HistoricVersion& h : history) {
    if (h.version.thumbprint == thumbprint) return &h;
  }
  return nullptr;
}

std::vector<std::string> KeyInventory::AllThumbprints() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const HistoricVersion& h : history) {
    if (seen.insert(h.version.thumbprint).second) out.push_back(h.version.thumbprint);
  }
  for (const VaultHoldings& v : vaults) {
    for (const VersionCopy& c : v.versions) {
      if (!c.thumbprint.empty() && seen.insert(c.thumbprint).second) out.push_back(c.thumbprint);
    }
  }
  return out;
}

Result<KeyInventory> TakeKeyInventory(VaultSetRuntime& runtime, const std::string& key_name,
                                      const InventoryOptions& options) {
  KeyInventory inventory;
  inventory.key_name = key_name;
  const VaultSetConfig& config = runtime.config();
  for (const std::string& wanted : options.vaults) {
    const bool known = std::any_of(config.vaults.begin(), config.vaults.end(),
                                   [&](const VaultConfig& v) { return v.name == wanted; });
    if (!known) {
      return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput,
                    "vault '" + wanted + "' is not in the configuration " + config.source_file);
    }
  }
  for (const VaultConfig& v : config.vaults) {
    if (options.vaults.empty() ||
        std::find(options.vaults.begin(), options.vaults.end(), v.name) != options.vaults.end()) {
      VaultHoldings holdings;
      holdings.vault = v;
      inventory.vaults.push_back(std::move(holdings));
    }
  }

  // History first: a store that cannot be read stops the inventory before
  // any vault is asked anything.
  StateStore& store = runtime.store();
  auto history = store.KeyHistory(key_name);
  if (!history.ok()) return history.status();
  for (KeyVersionRecord& record : *history) {
    auto copies = store.CopiesOfVersion(record.thumbprint);
    if (!copies.ok()) return copies.status();
    inventory.history.push_back(HistoricVersion{std::move(record), std::move(copies).value()});
  }
  std::vector<std::vector<VaultKeyCopyRecord>> recorded(inventory.vaults.size());
  for (std::size_t i = 0; i < inventory.vaults.size(); ++i) {
    auto copies = store.CopiesInVault(inventory.vaults[i].vault.name);
    if (!copies.ok()) return copies.status();
    recorded[i] = UsableRecords(std::move(copies).value());
  }

  inventory.taken_unix_s = static_cast<std::int64_t>(std::time(nullptr));
  std::vector<std::thread> readers;
  readers.reserve(inventory.vaults.size());
  for (std::size_t i = 0; i < inventory.vaults.size(); ++i) {
    readers.emplace_back([&, i] { ReadVault(runtime, key_name, options, recorded[i], inventory.vaults[i]); });
  }
  for (std::thread& t : readers) t.join();
  return inventory;
}

}  // namespace geoekm
