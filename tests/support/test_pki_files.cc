#include "tests/support/test_pki_files.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "vaultsim/file_text.h"
#include "vaultsim/test_pki.h"

namespace geoekm::testing {

TestPkiFiles::TestPkiFiles(const std::vector<std::string>& hosts, int client_certs) {
  temp_.emplace("geoekm-pki");
  dir_ = temp_->path();
  vaultsim::PkiOptions options;
  options.out_dir = dir_;
  options.hosts = hosts;
  options.client_certs = client_certs;
  Status s = vaultsim::GeneratePki(options);
  if (!s.ok()) {
    std::fprintf(stderr, "test PKI generation failed: %s\n", s.message().c_str());
    std::abort();
  }
}

const TestPkiFiles& TestPkiFiles::Shared() {
  static const TestPkiFiles* pki = [] {
#ifdef GEOEKM_TEST_PKI_DIR
    if (::access(GEOEKM_TEST_PKI_DIR "/signing-key.pem", R_OK) == 0) {
      return new TestPkiFiles(Existing{}, GEOEKM_TEST_PKI_DIR);
    }
#endif
    return new TestPkiFiles({kEastUsHost, kWestUsHost, kNorthEuropeHost, kWestEuropeHost, kLoginHost}, 2);
  }();
  return *pki;
}

std::string TestPkiFiles::client_pfx_password(int n) const {
  return vaultsim::ReadFileText(client_pfx(n) + ".password").value_or("");
}

}  // namespace geoekm::testing
