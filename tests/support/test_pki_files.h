// TestPkiFiles: a vaultsim test PKI (CA, per-host server certs, token-signing
// key, client certificates; see vaultsim/README.md) generated into a
// temporary directory. Shared() is the PKI for the standard testbed hosts:
// generated once at build time (tests/support/CMakeLists.txt, read-only for
// tests) or, when that is missing, once per test process — so tests do not
// pay RSA key generation again and again.
//
// Thread safety: Shared() is safe to call from any thread (static init);
// the object is immutable afterwards.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace geoekm::testing {

// Host names the shared PKI has server certificates for.
inline constexpr const char* kEastUsHost = "geoekm-eastus.vault.test";
inline constexpr const char* kWestUsHost = "geoekm-westus.vault.test";
inline constexpr const char* kNorthEuropeHost = "geoekm-northeurope.vault.test";
inline constexpr const char* kWestEuropeHost = "geoekm-westeurope.vault.test";
inline constexpr const char* kLoginHost = "login.vault.test";

class TestPkiFiles {
 public:
  // Generates into a fresh temp dir; aborts the test process on failure
  // (nothing sensible can run without it).
  explicit TestPkiFiles(const std::vector<std::string>& hosts, int client_certs = 2);
  static const TestPkiFiles& Shared();

  const std::string& dir() const { return dir_; }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }
  std::string ca() const { return File("ca.pem"); }
  std::string server_cert(const std::string& host) const { return File(host + "-cert.pem"); }
  std::string server_key(const std::string& host) const { return File(host + "-key.pem"); }
  std::string signing_key() const { return File("signing-key.pem"); }
  std::string signing_cert() const { return File("signing-cert.pem"); }
  std::string client_cert(int n) const { return File("client-" + std::to_string(n) + "-cert.pem"); }
  std::string client_key(int n) const { return File("client-" + std::to_string(n) + "-key.pem"); }
  std::string client_pem(int n) const { return File("client-" + std::to_string(n) + ".pem"); }
  std::string client_pfx(int n) const { return File("client-" + std::to_string(n) + ".pfx"); }
  std::string client_pfx_password(int n) const;  // file contents

 private:
  struct Existing {};
  TestPkiFiles(Existing, std::string dir) : dir_(std::move(dir)) {}

  std::optional<TempDir> temp_;
  std::string dir_;
};

}  // namespace geoekm::testing
