// TestbedHttps: the testbed's own HTTPS client for setting up keys with real
// REST calls. It connects to 127.0.0.1:<port> but uses the service's host
// name for SNI, the Host header and certificate verification against the
// testbed CA (curl --connect-to semantics), so the TLS set-up is exercised
// exactly as geoekm will exercise it.
//
// Thread safety: immutable after creation; Send may be called concurrently.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace geoekm::vaultsim {

struct TestbedResponse {
  int status = 0;
  std::string body;
};

class TestbedHttps {
 public:
  explicit TestbedHttps(std::string ca_file) : ca_file_(std::move(ca_file)) {}

  // path includes the query. Failures to connect or verify are errors;
  // HTTP error statuses are returned as responses.
  Result<TestbedResponse> Send(const std::string& host, int port, const std::string& method, const std::string& path,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& content_type, const std::string& body) const;

 private:
  std::string ca_file_;
};

}  // namespace geoekm::vaultsim
