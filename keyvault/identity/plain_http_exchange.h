// PlainHttpExchange: one plain-HTTP request/response to a managed-identity
// endpoint (IMDS at 169.254.169.254, App Service's local endpoint, or a test
// endpoint). Never through a proxy: IMDS "isn't intended to be used behind a
// proxy" and a proxy would see the token. One connection per request: MI
// tokens are fetched a few times a day, a pool would only hold sockets open.
//
// The HTTPS counterpart with pooling is keyvault/http/https_transport.h.
//
// The try timeout bounds the whole exchange after the connect (a byte-at-a-
// time endpoint is cut off like a silent one); bodies are capped; requests
// carry "User-Agent: geoekm/<version>".
//
// Failures: codes::kHttpConnectSession (3004), kHttpSendRequest (3008),
// kHttpReadData (3019), kVaultNameNotResolved (3900), kDeadlineExceeded
// (5003); all ErrorClass::kTransient.
//
// Thread safety: Send() may be called concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/deadline.h"
#include "core/result.h"
#include "keyvault/http/http_message.h"

namespace geoekm {

class PlainHttpExchange {
 public:
  PlainHttpExchange(std::string host, int port, std::chrono::milliseconds connect_timeout = std::chrono::seconds(3),
                    std::chrono::milliseconds try_timeout = std::chrono::seconds(10),
                    std::size_t max_response_bytes = 256 * 1024);

  Result<HttpResponse> Send(const HttpRequest& request, Deadline deadline) const;

 private:
  std::string host_;
  int port_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds try_timeout_;
  std::size_t max_response_bytes_;  // a token answer is a few KB
};

}  // namespace geoekm
