#include "vaultsim/file_text.h"

#include <fstream>
#include <sstream>

namespace geoekm::vaultsim {

std::optional<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace geoekm::vaultsim
