#include "vaultsim/config_argument.h"

#include <cstring>
#include <iostream>

namespace geoekm::vaultsim {

std::optional<std::string> ConfigArgument(const std::string& mode, int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else {
      config_path.clear();
      break;
    }
  }
  if (config_path.empty()) {
    std::cerr << "usage: vaultsim " << mode << " --config FILE\n";
    return std::nullopt;
  }
  return config_path;
}

}  // namespace geoekm::vaultsim
