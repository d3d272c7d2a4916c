#include "tests/support/test_pki_files.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "deploy/vaultsim/test_pki.h"

namespace geoekm::testing {

TestPkiFiles::TestPkiFiles(const std::vector<std::string>& hosts, int client_certs) {
  vaultsim::PkiOptions options;
  options.out_dir = dir_.path();
  options.hosts = hosts;
  options.client_certs = client_certs;
  Status s = vaultsim::GeneratePki(options);
  if (!s.ok()) {
    std::fprintf(stderr, "test PKI generation failed: %s\n", s.message().c_str());
    std::abort();
  }
}

const TestPkiFiles& TestPkiFiles::Shared() {
  static const TestPkiFiles pki({kEastUsHost, kWestUsHost, kNorthEuropeHost, kWestEuropeHost, kLoginHost}, 2);
  return pki;
}

std::string TestPkiFiles::client_pfx_password(int n) const {
  std::ifstream in(client_pfx(n) + ".password");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace geoekm::testing
