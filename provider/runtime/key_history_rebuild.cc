#include "provider/runtime/key_history_rebuild.h"

namespace geoekm {

Result<RebuildReport> RebuildKeyHistory(VaultSetRuntime& runtime) {
  const VaultSetConfig& config = runtime.config();
  std::vector<VaultKeyListing> listings;
  for (const VaultConfig& v : config.vaults) {
    VaultKeyListing listing;
    listing.vault = VaultRecord{v.name, v.url, v.region, v.geography, v.priority, RecordedHealth::kUnknown, {}};
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
        listing.versions.push_back(std::move(bundle).value());
      }
      if (!listing.listed) break;
    }
    if (!listing.listed) listing.versions.clear();
    listings.push_back(std::move(listing));
  }
  return runtime.store().Rebuild(listings);
}

}  // namespace geoekm
