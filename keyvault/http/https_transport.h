// HttpsTransport: HTTPS to ONE origin (scheme https, host, port) with a
// thread-safe pool of persistent keep-alive connections.
//
// - TLS 1.2+, certificate chain and host name verified always (system store
//   or a configured CA bundle); SNI is the origin host.
// - connect_to: connect to another host:port but keep SNI, Host and the
//   certificate check on the origin host (curl --connect-to).
// - Explicit HTTP(S) proxy (CONNECT), from options or HTTPS_PROXY/NO_PROXY.
//   connect_to wins over any proxy (the address is already decided).
// - A broken pooled connection is dropped; the request is retried once on a
//   fresh connection only when nothing of the response was read and the
//   method is safe to repeat (or the caller marks the request idempotent).
//   A timeout is never retried here (the server got the request).
// - Connect timeout (TCP + proxy CONNECT + TLS handshake), per-try timeout
//   (send + receive), overall Deadline; each is cut to what the deadline
//   leaves, and a deadline that passes gives 5003. The timeouts bound the
//   whole step, not each read: a peer that sends a byte at a time is cut off
//   at the step's deadline like a silent one.
// - Response bodies are capped (max_response_bytes); every request carries
//   "User-Agent: geoekm/<version>".
// - Idle connections are kept up to max_idle_connections and ~55 s. Before
//   a request that may not be repeated reuses one, it is checked for a
//   server-side close; a repeatable one skips that system call, since a
//   closed connection costs it only the retry above.
//
// Failures come back as Status values with the connector's network codes
// (3004 connect or proxy, 3008 send, 3019 read, 3900 name not resolved, 5002
// TLS: "certificate verification failed: <reason>" or a handshake failure,
// 5003 deadline), all ErrorClass::kTransient so that the router fails over to
// another vault (DNS and certificate failures rarely fix themselves on the
// same vault; the router's health tracking keeps such a vault aside).
// Messages never contain request headers or bodies.
//
// Plain HTTP (managed-identity endpoints) is not served here: see
// keyvault/identity/plain_http_exchange.h (never proxied, not pooled).
//
// Thread safety: Send() may be called from any number of threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/deadline.h"
#include "core/result.h"
#include "keyvault/http/http_message.h"

namespace geoekm {

struct HttpsOrigin {
  std::string host;
  int port = 443;
  std::string connect_to_host;  // empty = resolve host
  int connect_to_port = 0;
  std::string ca_bundle;        // empty = system store
  std::string proxy;            // "" = from HTTPS_PROXY/NO_PROXY; "none" = never;
                                // else "http://host:port" or "host:port"
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds try_timeout{10000};
  std::size_t max_idle_connections = 64;
  // A larger response body is refused (3019) without being read further: a
  // Key Vault answer is a few KB (a list page of 25 versions, a backup blob).
  std::size_t max_response_bytes = 4 * 1024 * 1024;
};

struct HttpsTransportStats {
  std::uint64_t connections_opened = 0;
  std::uint64_t requests_sent = 0;
  std::uint64_t stale_retries = 0;
  // setsockopt(2) calls for send/receive timeouts: about two per connection,
  // not two per request (they are kept while at most a tenth looser).
  std::uint64_t socket_timeouts_set = 0;
};

class HttpsTransport {
 public:
  static Result<std::shared_ptr<HttpsTransport>> Create(const HttpsOrigin& origin);
  virtual ~HttpsTransport() = default;

  // Sends one request; `idempotent` allows the single stale-connection retry
  // for non-GET methods.
  virtual Result<HttpResponse> Send(const HttpRequest& request, Deadline deadline, bool idempotent = false) = 0;

  virtual const HttpsOrigin& origin() const = 0;
  virtual HttpsTransportStats stats() const = 0;
};

}  // namespace geoekm
