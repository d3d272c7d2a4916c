// The pooled HttpsTransport. Poco's HTTPSClientSession resolves and
// connects by itself, which cannot express connect_to; so every connection
// is made here: TCP to the connect address (or through an HTTPS proxy with
// CONNECT), then the TLS handshake with SNI and certificate + host-name
// verification against the ORIGIN host, then a session on that socket.
#include "keyvault/http/https_transport.h"

#include <sys/socket.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "core/error_codes.h"
#include "keyvault/http/attached_https_session.h"
#include "keyvault/http/poco_message.h"
#include "keyvault/http/request_wire.h"
#include "keyvault/http/socket_deadline.h"
#include "keyvault/http/untrusted_text.h"

namespace geoekm {
namespace {

using Poco::Net::HTTPSClientSession;

constexpr std::chrono::seconds kIdleTimeout{55};  // below common server keep-alive limits

// At least 1 ms: a socket timeout of 0 would mean "wait forever".
Poco::Timespan ToTimespan(Millis ms) {
  ms = std::max(ms, Millis(1));
  return Poco::Timespan(static_cast<long>(ms.count() / 1000), static_cast<long>((ms.count() % 1000) * 1000));
}

void InitSslOnce() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

struct ProxyEndpoint {
  std::string host;
  int port = 0;
};

bool NoProxyMatches(const std::string& host, const char* no_proxy) {
  if (!no_proxy) return false;
  std::stringstream list(no_proxy);
  std::string entry;
  while (std::getline(list, entry, ',')) {
    while (!entry.empty() && entry.front() == ' ') entry.erase(0, 1);
    while (!entry.empty() && entry.back() == ' ') entry.pop_back();
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.erase(0, 1);
    if (host == entry || (host.size() > entry.size() && host.ends_with("." + entry))) return true;
  }
  return false;
}

// The proxy for this origin: explicit, from the environment, or none.
Result<std::optional<ProxyEndpoint>> ResolveProxy(const HttpsOrigin& origin) {
  std::string spec = origin.proxy;
  if (spec == "none" || !origin.connect_to_host.empty()) return std::optional<ProxyEndpoint>();
  if (spec.empty()) {
    const char* env = std::getenv("HTTPS_PROXY");
    if (!env) env = std::getenv("https_proxy");
    if (!env || !*env) return std::optional<ProxyEndpoint>();
    const char* no_proxy = std::getenv("NO_PROXY");
    if (!no_proxy) no_proxy = std::getenv("no_proxy");
    if (NoProxyMatches(origin.host, no_proxy)) return std::optional<ProxyEndpoint>();
    spec = env;
  }
  try {
    Poco::URI uri(spec.find("://") == std::string::npos ? "http://" + spec : spec);
    if (uri.getHost().empty()) throw Poco::SyntaxException("no host");
    return std::optional<ProxyEndpoint>(ProxyEndpoint{uri.getHost(), uri.getPort()});
  } catch (const Poco::Exception&) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "proxy setting is not a URL (host:port)");
  }
}

// Where a failure happened decides its connector code.
enum class Stage { kConnect, kHandshake, kSend, kReceive, kReceiveBody };

Status DeadlinePassed(const std::string& where) {
  return Status(codes::kDeadlineExceeded, ErrorClass::kTransient,
                "the operation deadline passed while talking to " + where);
}

// The deadline's CancelSignal fired: nobody waits for this answer any more.
Status Cancelled(const std::string& where) {
  return Status(codes::kDeadlineExceeded, ErrorClass::kTransient,
                "the request to " + where + " was cancelled: its answer is no longer needed");
}

// Every failure is kTransient so that the router fails over to another vault:
// - DNS (3900): a deleted vault's name stays unresolvable, but DNS hiccups
//   and split-DNS/private-endpoint races do fix themselves; the router's
//   health tracking keeps a vault that keeps failing out of the way.
// - TLS (5002): a certificate that does not verify will not verify on the
//   next try either, but another vault (another region) may well; the
//   message says "certificate verification failed" so an operator sees it.
// Messages hold Poco's exception text (socket and TLS errors), never the
// request's headers or body.
//
// `timeout_is_deadline`: the stage's timeout was what the deadline left, so a
// timeout means the deadline passed (timers round and may fire a hair early).
Status MapException(const Poco::Exception& e, Stage stage, const HttpsOrigin& origin, Deadline deadline,
                    bool timeout_is_deadline) {
  const std::string where = origin.host + ":" + std::to_string(origin.port);
  const bool timeout = dynamic_cast<const Poco::TimeoutException*>(&e) != nullptr;
  const std::string text = EscapeControlBytes(e.displayText());  // may quote the peer's bytes
  if (deadline.cancelled()) return Cancelled(where);
  if (deadline.expired() || (timeout && timeout_is_deadline)) return DeadlinePassed(where);
  if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) ||
      dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e) ||
      dynamic_cast<const Poco::Net::DNSException*>(&e)) {
    return Status(codes::kVaultNameNotResolved, ErrorClass::kTransient,
                  "host name " + origin.host + " could not be resolved; the vault may have been deleted, or DNS "
                  "(private endpoint, split DNS) is not set up for this host");
  }
  // Verification failures are TLS failures; so is any other handshake error
  // (no common protocol, not a TLS server). An SSL error on an established
  // connection (a reset, an unexpected EOF) is an ordinary send/read failure.
  if (dynamic_cast<const Poco::Net::CertificateValidationException*>(&e) ||
      dynamic_cast<const Poco::Net::InvalidCertificateException*>(&e) ||
      (stage == Stage::kHandshake && text.find("certificate verify failed") != std::string::npos)) {
    return Status(codes::kTlsFailure, ErrorClass::kTransient,
                  "TLS with " + where + ": certificate verification failed: " + text +
                      ". Check the vault URL (host name) and the CA bundle.");
  }
  // The peer going away mid-handshake (a vault process dying, a balancer
  // dropping the flow) is a network failure: 5002's advice (certificates,
  // CA bundle) would send the operator the wrong way.
  const bool peer_went_away = dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) ||
                              dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e) ||
                              dynamic_cast<const Poco::Net::SSLConnectionUnexpectedlyClosedException*>(&e);
  if (stage == Stage::kHandshake && !timeout && !peer_went_away) {
    return Status(codes::kTlsFailure, ErrorClass::kTransient,
                  "TLS handshake with " + where + " failed: " + text);
  }
  switch (stage) {
    case Stage::kConnect:
    case Stage::kHandshake:  // a server that accepts but never completes the handshake
      return Status(codes::kHttpConnectSession, ErrorClass::kTransient,
                    "cannot connect to " + where + ": " + text);
    case Stage::kSend:
      return Status(codes::kHttpSendRequest, ErrorClass::kTransient,
                    "cannot send the request to " + where + ": " + text);
    case Stage::kReceive:
    case Stage::kReceiveBody:
      break;
  }
  return Status(codes::kHttpReadData, ErrorClass::kTransient,
                "cannot read the response from " + where + ": " + text);
}

// Poco's blocking TLS reads and writes wait up to twice the socket's
// timeout (a recv/send that times out, then a poll before giving up), so TLS
// sockets get half of the time that is really left.
Poco::Timespan HalfOf(Millis left) { return ToTimespan(left / 2); }

// One kept-alive connection.
struct Connection {
  std::unique_ptr<AttachedHttpsSession> session;
  Clock::time_point idle_since;
  // The socket's send and receive timeouts as last set (µs; -1 = not yet).
  Poco::Timespan::TimeDiff send_timeout_us = -1;
  Poco::Timespan::TimeDiff receive_timeout_us = -1;
};

enum class SocketTimeout { kSend, kReceive };

// Sets a socket timeout unless the one set already is at most a tenth
// looser than `wanted`. Socket timeouts are only a backstop behind the try's
// SocketDeadline, which ends the try at its exact deadline, so a slightly
// looser one changes nothing and nearly every request saves two
// setsockopt(2) calls; a tighter one is never kept. True when it was set.
bool KeepOrSetTimeout(Poco::Net::StreamSocket& socket, Connection& conn, SocketTimeout which, Poco::Timespan wanted) {
  Poco::Timespan::TimeDiff& current_us =
      which == SocketTimeout::kSend ? conn.send_timeout_us : conn.receive_timeout_us;
  const Poco::Timespan::TimeDiff want = wanted.totalMicroseconds();
  if (current_us >= want && current_us - want <= want / 10) return false;
  if (which == SocketTimeout::kSend) socket.setSendTimeout(wanted);
  else socket.setReceiveTimeout(wanted);
  current_us = want;
  return true;
}

// True when the server has closed an idle connection (FIN or error).
bool PeerClosed(HTTPSClientSession& session) {
  if (!session.connected()) return true;
  char c;
  ssize_t n = ::recv(session.socket().impl()->sockfd(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

class PooledHttpsTransport final : public HttpsTransport {
 public:
  PooledHttpsTransport(HttpsOrigin origin, Poco::Net::Context::Ptr context, std::optional<ProxyEndpoint> proxy)
      : origin_(std::move(origin)), context_(std::move(context)), proxy_(std::move(proxy)) {}

  Result<HttpResponse> Send(const HttpRequest& request, Deadline deadline, bool idempotent) override {
    if (deadline.expired()) {
      return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "the operation deadline passed before sending");
    }
    // Checked and written before a connection is taken: a refused request costs none.
    Result<SecureString> wire = SerializeRequest(request, origin_.host, origin_.port, /*keep_alive=*/true);
    if (!wire.ok()) return Status(wire.status()).Prefix(where() + ": ");
    requests_.fetch_add(1);
    const bool repeatable = request.method == "GET" || idempotent;
    std::unique_ptr<Connection> conn = TakeIdle(/*check_peer=*/!repeatable);
    const bool reused = conn != nullptr;
    if (!conn) {
      auto opened = Open(deadline);
      if (!opened.ok()) return opened.status();
      conn = std::move(opened).value();
    }
    bool maybe_stale = false;
    auto response = Exchange(*conn, *wire, deadline, &maybe_stale);
    // A kept-alive connection the server closed meanwhile fails before any
    // of the answer arrives; repeating is safe only for requests that may be
    // sent twice. A silent server (timeout) is not a stale connection.
    if (!response.ok() && reused && maybe_stale && repeatable &&
        !deadline.expired()) {
      stale_retries_.fetch_add(1);
      auto opened = Open(deadline);
      if (!opened.ok()) return opened.status();
      conn = std::move(opened).value();
      response = Exchange(*conn, *wire, deadline, &maybe_stale);
    }
    if (response.ok() && conn->session) Release(std::move(conn));
    return response;
  }

  const HttpsOrigin& origin() const override { return origin_; }

  HttpsTransportStats stats() const override {
    return HttpsTransportStats{connections_opened_.load(), requests_.load(), stale_retries_.load(),
                               timeouts_set_.load()};
  }

 private:
  std::string where() const { return origin_.host + ":" + std::to_string(origin_.port); }

  // check_peer: look for a server-side close first (one recv(2); on this
  // kind of VM a system call costs a few microseconds, a good part of what
  // a whole kept-alive request costs here).
  std::unique_ptr<Connection> TakeIdle(bool check_peer) {
    std::lock_guard<std::mutex> lock(mu_);
    while (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      if (Clock::now() - c->idle_since < kIdleTimeout && (!check_peer || !PeerClosed(*c->session))) return c;
    }
    return nullptr;
  }

  void Release(std::unique_ptr<Connection> conn) {
    conn->idle_since = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < origin_.max_idle_connections) idle_.push_back(std::move(conn));
  }

  // TCP to connect_to (or the origin host itself).
  Poco::Net::StreamSocket ConnectDirect(Deadline open_deadline) {
    const std::string host = origin_.connect_to_host.empty() ? origin_.host : origin_.connect_to_host;
    const int port = origin_.connect_to_port != 0 ? origin_.connect_to_port : origin_.port;
    return ConnectTcp(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), open_deadline);
  }

  // The socket exists (and is guarded) before connect starts, so a cancel
  // signal ends a connect to a silent address at once, not at its timeout.
  static Poco::Net::StreamSocket ConnectTcp(const Poco::Net::SocketAddress& address, Deadline open_deadline) {
    Poco::Net::StreamSocket tcp(address.family());
    SocketDeadline guard(tcp.impl()->sockfd(), open_deadline);
    try {
      tcp.connect(address, ToTimespan(open_deadline.remaining()));
    } catch (const Poco::Exception&) {
      if (guard.fired()) throw Poco::TimeoutException("the connect timeout passed");
      throw;
    }
    if (guard.fired()) throw Poco::TimeoutException("the connect timeout passed");
    return tcp;
  }

  // TCP to the proxy and CONNECT origin:port; the proxy resolves the origin
  // host. Failures here are the proxy's: 3004, never 3900 or 5002.
  Result<Poco::Net::StreamSocket> ConnectThroughProxy(Deadline open_deadline, Deadline deadline,
                                                      bool timeout_is_deadline) {
    const std::string proxy = proxy_->host + ":" + std::to_string(proxy_->port);
    // In this order so that the guard is disarmed before the session closes
    // the socket, on every path.
    std::optional<Poco::Net::HTTPClientSession> session;
    std::optional<SocketDeadline> guard;
    try {
      Poco::Net::StreamSocket socket =
          ConnectTcp(Poco::Net::SocketAddress(proxy_->host, static_cast<Poco::UInt16>(proxy_->port)), open_deadline);
      Poco::Net::HTTPClientSession& tunnel = session.emplace(socket);
      // A proxy that answers CONNECT a byte at a time still ends at the deadline.
      guard.emplace(socket.impl()->sockfd(), open_deadline);
      // Plain TCP to the proxy: Poco waits each timeout once here.
      const Poco::Timespan left = ToTimespan(open_deadline.remaining());
      tunnel.setTimeout(left, left, left);
      Poco::Net::HTTPRequest connect(Poco::Net::HTTPRequest::HTTP_CONNECT, where(), Poco::Net::HTTPMessage::HTTP_1_1);
      connect.setHost(where());
      connect.set("User-Agent", std::string(UserAgent()));
      connect.setKeepAlive(true);  // the tunnel is the connection
      tunnel.sendRequest(connect);
      Poco::Net::HTTPResponse answer;
      tunnel.receiveResponse(answer);
      if (guard->fired()) throw Poco::TimeoutException("the connect timeout passed");
      if (answer.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
        return Status(codes::kHttpConnectSession, ErrorClass::kTransient,
                      "HTTPS proxy " + proxy + " refused CONNECT " + where() + ": " +
                          std::to_string(static_cast<int>(answer.getStatus())) + " " +
                          EscapeControlBytes(answer.getReason()));
      }
      guard.reset();
      return tunnel.detachSocket();
    } catch (const Poco::Exception& e) {
      const bool timeout = (guard && guard->fired()) || dynamic_cast<const Poco::TimeoutException*>(&e);
      if (deadline.expired() || (timeout_is_deadline && timeout)) return DeadlinePassed(where());
      return Status(codes::kHttpConnectSession, ErrorClass::kTransient,
                    "cannot open a tunnel to " + where() + " through the HTTPS proxy " + proxy + ": " +
                        (guard && guard->fired() ? std::string("timed out") : EscapeControlBytes(e.displayText())));
    }
  }

  Result<std::unique_ptr<Connection>> Open(Deadline deadline) {
    const Millis connect_timeout = deadline.remaining(origin_.connect_timeout);
    if (connect_timeout.count() <= 0) return deadline.cancelled() ? Cancelled(where()) : DeadlinePassed(where());
    // connect_timeout bounds TCP connect, proxy CONNECT and TLS handshake together.
    const Deadline open_deadline = Deadline::After(connect_timeout).Earlier(deadline);  // keeps its cancel signal
    const bool timeout_is_deadline = connect_timeout < origin_.connect_timeout;
    Stage stage = Stage::kConnect;
    try {
      Poco::Net::StreamSocket tcp;
      if (proxy_) {
        auto tunnel = ConnectThroughProxy(open_deadline, deadline, timeout_is_deadline);
        if (!tunnel.ok()) return tunnel.status();
        tcp = std::move(tunnel).value();
      } else {
        tcp = ConnectDirect(open_deadline);
      }
      // The handshake runs on the connected socket with SNI and the
      // certificate's host-name check on the ORIGIN host, whatever address
      // the socket went to (connect_to, proxy).
      stage = Stage::kHandshake;
      if (open_deadline.expired()) throw Poco::TimeoutException("connect timeout");
      tcp.setReceiveTimeout(HalfOf(open_deadline.remaining()));
      tcp.setSendTimeout(HalfOf(open_deadline.remaining()));
      SocketDeadline guard(tcp.impl()->sockfd(), open_deadline);  // a handshake sent a byte at a time
      Poco::Net::SecureStreamSocket tls = [&] {
        try {
          return Poco::Net::SecureStreamSocket::attach(tcp, origin_.host, context_);
        } catch (const Poco::Exception&) {
          if (guard.fired()) throw Poco::TimeoutException("the connect timeout passed");
          throw;
        }
      }();
      if (guard.fired()) throw Poco::TimeoutException("the connect timeout passed");
      tls.setNoDelay(true);
      auto conn = std::make_unique<Connection>();
      conn->session = std::make_unique<AttachedHttpsSession>(origin_.host, origin_.port, context_, tls);
      conn->session->setKeepAlive(true);
      conn->session->setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));  // the pool decides about idle time
      connections_opened_.fetch_add(1);
      return conn;
    } catch (const Poco::Exception& e) {
      return MapException(e, stage, origin_, deadline, timeout_is_deadline);
    }
  }

  // *maybe_stale: the failure looks like a connection the server had closed
  // (send failed, or the connection ended before a status line arrived).
  Result<HttpResponse> Exchange(Connection& conn, std::string_view wire, Deadline deadline, bool* maybe_stale) {
    const Millis try_timeout = deadline.remaining(origin_.try_timeout);
    if (try_timeout.count() <= 0) {
      conn.session.reset();
      return deadline.cancelled() ? Cancelled(where()) : DeadlinePassed(where());
    }
    const Deadline try_deadline = Deadline::After(try_timeout).Earlier(deadline);  // keeps its cancel signal
    const bool timeout_is_deadline = try_timeout < origin_.try_timeout;
    AttachedHttpsSession& session = *conn.session;
    Stage stage = Stage::kSend;
    // Ends the whole try (send, status line, headers, body) at its deadline,
    // however the peer paces its bytes. Disarmed before the socket closes.
    std::optional<SocketDeadline> guard;
    auto drop = [&] {
      guard.reset();
      conn.session.reset();
    };
    try {
      Poco::Net::StreamSocket& socket = session.socket();
      guard.emplace(socket.impl()->sockfd(), try_deadline);
      if (KeepOrSetTimeout(socket, conn, SocketTimeout::kSend, HalfOf(try_timeout))) timeouts_set_.fetch_add(1);
      // One write, not sendRequest() (poco_message.h).
      SendInOneWrite(session, wire);
      stage = Stage::kReceive;
      // The guard ends a silent server's try at its deadline; the socket
      // timeout is only a backstop behind it (see HalfOf).
      if (KeepOrSetTimeout(socket, conn, SocketTimeout::kReceive, HalfOf(try_deadline.remaining()))) {
        timeouts_set_.fetch_add(1);
      }
      HttpResponse out;
      BodyFraming framing;
      ReceiveHead(session, &out, &framing);
      stage = Stage::kReceiveBody;
      Status read = ReceiveBody(session, framing, origin_.max_response_bytes, &out.body);
      if (guard->fired()) throw Poco::TimeoutException("the try timeout passed");
      if (session.networkException()) session.networkException()->rethrow();
      if (!read.ok()) {
        drop();  // the rest of the body is never read: the connection cannot be reused
        return read.Prefix(where() + ": ").WithHttp(out.status, "", std::string(out.header("x-ms-request-id")));
      }
      if (!framing.keep_alive) drop();
      return out;
    } catch (const Poco::Exception& e) {
      const bool fired = guard && guard->fired();
      drop();
      const bool timeout = fired || dynamic_cast<const Poco::TimeoutException*>(&e);
      // A malformed answer came from a live server: sending again would only repeat it.
      const bool malformed = dynamic_cast<const Poco::Net::MessageException*>(&e) != nullptr;
      *maybe_stale = stage != Stage::kReceiveBody && !timeout && !malformed;
      if (fired) return MapException(Poco::TimeoutException("the try timeout passed"), stage, origin_, deadline,
                                     timeout_is_deadline);
      return MapException(e, stage, origin_, deadline, timeout_is_deadline);
    }
  }

  const HttpsOrigin origin_;
  Poco::Net::Context::Ptr context_;
  const std::optional<ProxyEndpoint> proxy_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::atomic<std::uint64_t> connections_opened_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> stale_retries_{0};
  std::atomic<std::uint64_t> timeouts_set_{0};
};

}  // namespace

Result<std::shared_ptr<HttpsTransport>> HttpsTransport::Create(const HttpsOrigin& origin) {
  if (origin.host.empty() || origin.port <= 0 || origin.port > 65535) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "HTTPS origin needs a host and a port");
  }
  auto proxy = ResolveProxy(origin);
  if (!proxy.ok()) return proxy.status();
  InitSslOnce();
  try {
    Poco::Net::Context::Params params;
    params.caLocation = origin.ca_bundle;
    params.loadDefaultCAs = origin.ca_bundle.empty();
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;  // chain + host name, always
    params.verificationDepth = 9;
    params.cipherList = "HIGH:!aNULL:!MD5:!RC4";
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Read whole TLS records at once: without read-ahead OpenSSL reads each
    // record's 5-byte header and then its body, two system calls where one
    // does (a vault's answer is one record).
    SSL_CTX_set_read_ahead(context->sslContext(), 1);
    return std::shared_ptr<HttpsTransport>(
        std::make_shared<PooledHttpsTransport>(origin, std::move(context), std::move(proxy).value()));
  } catch (const Poco::Exception& e) {
    return Status(codes::kTlsFailure, ErrorClass::kInvalidInput,
                  "cannot set up TLS for " + origin.host + " (CA bundle '" + origin.ca_bundle + "'): " + e.displayText());
  }
}

}  // namespace geoekm
