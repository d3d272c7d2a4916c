#include "vault_router/router_options.h"

namespace geoekm {

RouterOptions RouterOptionsFromConfig(const VaultSetConfig& config) {
  RouterOptions o;
  o.tuning = config.router;
  o.probe_key_names = config.provider.key_names;
  o.canary_algorithm = config.provider.wrap_algorithm;
  o.pinned_thumbprints = config.provider.pinned_thumbprints;
  return o;
}

}  // namespace geoekm
