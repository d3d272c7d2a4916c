// TestPki: generates the local PKI of a vaultsim testbed with OpenSSL — a
// CA, a server certificate per host (SAN DNS:<host> + IP:127.0.0.1), the
// login service's token-signing key + certificate, and client certificates
// (PEM, combined PEM, password-protected PKCS#12). File names in README.md.
// Private key, PFX and password files are created 0600.
//
// Thread safety: GeneratePki is reentrant (no shared state).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace geoekm::vaultsim {

struct PkiOptions {
  std::string out_dir;
  std::vector<std::string> hosts;
  int client_certs = 1;
};

Status GeneratePki(const PkiOptions& options);

// `vaultsim pki --out DIR --hosts h1,h2 [--client-certs N]`; argv[0] is "pki".
int RunPkiCommand(int argc, char** argv);

}  // namespace geoekm::vaultsim
