#include "provider/runtime/key_history_rebuild.h"

#include "vault_router/key_id_check.h"

namespace geoekm {

Result<RebuildReport> RebuildKeyHistory(VaultSetRuntime& runtime) {
  const VaultSetConfig& config = runtime.config();
  std::vector<VaultKeyListing> listings;
  // Bundles whose kid names another vault or key are not that vault's copy:
  // never recorded (no history for keys the set does not serve).
  std::vector<RejectedBundle> rejected;
  for (const VaultConfig& v : config.vaults) {
    VaultKeyListing listing;
    listing.vault = VaultRecord{v.name, v.url, v.region, v.geography, v.priority, std::nullopt, {}};
    listing.listed = true;
    auto ops = runtime.vault(v.name);
    for (const std::string& key : config.provider.key_names) {
      const Deadline deadline = Deadline::After(config.router.operation_deadline);
      auto versions = ops->ListKeyVersions(key, deadline);
      if (!versions.ok()) {
        // A vault that cannot be read keeps what the store knew of it.
        listing.listed = false;
        listing.read_error = Status(versions.status()).Prefix("listing the versions of key " + key + ": ");
        break;
      }
      for (const KeyVersionItem& item : *versions) {
        auto bundle = ops->GetKey(key, item.version, deadline);
        if (!bundle.ok()) {
          listing.listed = false;
          listing.read_error = Status(bundle.status()).Prefix("reading key " + key + " version " + item.version + ": ");
          break;
        }
        if (std::string problem = KeyIdProblem(bundle->kid, v.host, v.port, key, item.version); !problem.empty()) {
          rejected.push_back(RejectedBundle{v.name, bundle->kid, "its kid " + problem});
          continue;
        }
        bundle->name = key;
        listing.versions.push_back(std::move(bundle).value());
      }
      if (!listing.listed) break;
    }
    if (!listing.listed) listing.versions.clear();
    listings.push_back(std::move(listing));
  }
  Result<RebuildReport> report = runtime.store().Rebuild(listings);
  if (report.ok()) report->rejected.insert(report->rejected.end(), rejected.begin(), rejected.end());
  return report;
}

}  // namespace geoekm
