// The pooled HttpsTransport. Poco's HTTPSClientSession resolves and
// connects by itself, which cannot express connect_to; so every connection
// is made here: TCP to the connect address (or through an HTTPS proxy with
// CONNECT), then the TLS handshake with SNI and certificate + host-name
// verification against the ORIGIN host, then a session on that socket.
#include "vault_router/http/https_transport.h"

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
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <vector>

#include "core/error_codes.h"

namespace geoekm {
namespace {

using Poco::Net::HTTPSClientSession;

constexpr std::chrono::seconds kIdleTimeout{55};  // below common server keep-alive limits

Poco::Timespan ToTimespan(Millis ms) {
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
enum class Stage { kConnect, kHandshake, kSend, kReceive };

Status MapException(const Poco::Exception& e, Stage stage, const HttpsOrigin& origin, Deadline deadline) {
  const std::string where = origin.host + ":" + std::to_string(origin.port);
  if (deadline.expired()) {
    return Status(codes::kDeadlineExceeded, ErrorClass::kTransient,
                  "the operation deadline passed while talking to " + where);
  }
  if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) ||
      dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e) ||
      dynamic_cast<const Poco::Net::DNSException*>(&e)) {
    return Status(codes::kVaultNameNotResolved, ErrorClass::kTransient,
                  "host name " + origin.host + " could not be resolved; the vault may have been deleted, or DNS "
                  "(private endpoint, split DNS) is not set up for this host");
  }
  // Verification failures and handshake failures will not fix themselves on
  // a retry; an SSL error on an established connection (a reset, an
  // unexpected EOF) is an ordinary read/send failure.
  if (dynamic_cast<const Poco::Net::CertificateValidationException*>(&e) ||
      dynamic_cast<const Poco::Net::InvalidCertificateException*>(&e) || stage == Stage::kHandshake) {
    return Status(codes::kTlsFailure, ErrorClass::kTransient,
                  "TLS with " + where + " failed (certificate or host-name verification, or handshake): " +
                      e.displayText() + ". Check the vault URL and the CA bundle.");
  }
  switch (stage) {
    case Stage::kConnect:
      return Status(codes::kHttpConnectSession, ErrorClass::kTransient,
                    "cannot connect to " + where + ": " + e.displayText());
    case Stage::kSend:
      return Status(codes::kHttpSendRequest, ErrorClass::kTransient,
                    "cannot send the request to " + where + ": " + e.displayText());
    default:
      return Status(codes::kHttpReadData, ErrorClass::kTransient,
                    "cannot read the response from " + where + ": " + e.displayText());
  }
}

// One kept-alive connection.
struct Connection {
  std::unique_ptr<HTTPSClientSession> session;
  Clock::time_point idle_since;
};

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
    requests_.fetch_add(1);
    std::unique_ptr<Connection> conn = TakeIdle();
    const bool reused = conn != nullptr;
    if (!conn) {
      auto opened = Open(deadline);
      if (!opened.ok()) return opened.status();
      conn = std::move(opened).value();
    }
    bool received_any = false;
    auto response = Exchange(*conn, request, deadline, &received_any);
    // A kept-alive connection the server closed meanwhile fails before any
    // byte of the answer arrives; repeating is safe only for requests that
    // may be sent twice.
    if (!response.ok() && reused && !received_any && (request.method == "GET" || idempotent) &&
        !deadline.expired()) {
      stale_retries_.fetch_add(1);
      auto opened = Open(deadline);
      if (!opened.ok()) return opened.status();
      conn = std::move(opened).value();
      response = Exchange(*conn, request, deadline, &received_any);
    }
    if (response.ok() && conn->session) Release(std::move(conn));
    return response;
  }

  const HttpsOrigin& origin() const override { return origin_; }

  HttpsTransportStats stats() const override {
    return HttpsTransportStats{connections_opened_.load(), requests_.load(), stale_retries_.load()};
  }

 private:
  std::unique_ptr<Connection> TakeIdle() {
    std::lock_guard<std::mutex> lock(mu_);
    while (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      if (Clock::now() - c->idle_since < kIdleTimeout && !PeerClosed(*c->session)) return c;
    }
    return nullptr;
  }

  void Release(std::unique_ptr<Connection> conn) {
    conn->idle_since = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < origin_.max_idle_connections) idle_.push_back(std::move(conn));
  }

  Result<std::unique_ptr<Connection>> Open(Deadline deadline) {
    const Millis connect_timeout = deadline.remaining(origin_.connect_timeout);
    if (connect_timeout.count() <= 0) {
      return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "the operation deadline passed before connecting");
    }
    Stage stage = Stage::kConnect;
    try {
      auto conn = std::make_unique<Connection>();
      if (proxy_) {
        // Through a proxy the session tunnels itself (CONNECT origin:port);
        // the proxy resolves the origin host, TLS is verified against it.
        conn->session = std::make_unique<HTTPSClientSession>(origin_.host, static_cast<Poco::UInt16>(origin_.port),
                                                             context_);
        conn->session->setProxy(proxy_->host, static_cast<Poco::UInt16>(proxy_->port));
        conn->session->setTimeout(ToTimespan(connect_timeout));
      } else {
        // The socket is connected here, not by the session: TCP to the
        // connect_to address, while SNI and the certificate's host-name
        // check use the origin host (setPeerHostName).
        Poco::Net::SecureStreamSocket tls(context_);
        tls.setPeerHostName(origin_.host);
        conn->session = std::make_unique<HTTPSClientSession>(tls);
        conn->session->setHost(origin_.host);  // allowed only while unconnected
        conn->session->setPort(static_cast<Poco::UInt16>(origin_.port));
        const std::string host = origin_.connect_to_host.empty() ? origin_.host : origin_.connect_to_host;
        const int port = origin_.connect_to_port != 0 ? origin_.connect_to_port : origin_.port;
        Poco::Net::SocketAddress address(host, static_cast<Poco::UInt16>(port));
        stage = Stage::kHandshake;
        tls.connect(address, ToTimespan(connect_timeout));  // TCP + TLS handshake + verification
        tls.setNoDelay(true);
      }
      conn->session->setKeepAlive(true);
      // Never let Poco reconnect a dropped direct connection by itself (it
      // would resolve the origin host); we open a new one instead.
      conn->session->setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));
      connections_opened_.fetch_add(1);
      return conn;
    } catch (const Poco::Net::HostNotFoundException& e) {
      return MapException(e, Stage::kConnect, origin_, deadline);
    } catch (const Poco::Net::NoAddressFoundException& e) {
      return MapException(e, Stage::kConnect, origin_, deadline);
    } catch (const Poco::Net::ConnectionRefusedException& e) {
      return MapException(e, Stage::kConnect, origin_, deadline);
    } catch (const Poco::TimeoutException& e) {
      return MapException(e, Stage::kConnect, origin_, deadline);
    } catch (const Poco::Exception& e) {
      return MapException(e, stage, origin_, deadline);
    }
  }

  Result<HttpResponse> Exchange(Connection& conn, const HttpRequest& request, Deadline deadline, bool* received_any) {
    const Millis try_timeout = deadline.remaining(origin_.try_timeout);
    if (try_timeout.count() <= 0) {
      conn.session.reset();
      return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "the operation deadline passed before sending");
    }
    HTTPSClientSession& session = *conn.session;
    // The session applies timeouts to the socket only in its own connect(),
    // which never runs here: set them on the socket.
    session.setTimeout(ToTimespan(try_timeout));
    session.socket().setReceiveTimeout(ToTimespan(try_timeout));
    session.socket().setSendTimeout(ToTimespan(try_timeout));
    Stage stage = Stage::kSend;
    try {
      Poco::Net::HTTPRequest req(request.method, request.target, Poco::Net::HTTPMessage::HTTP_1_1);
      req.setKeepAlive(true);
      for (const auto& [k, v] : request.headers) req.set(k, v);
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
        req.setContentLength(static_cast<std::streamsize>(request.body.size()));
      }
      std::ostream& body = session.sendRequest(req);
      body.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
      body.flush();
      stage = Stage::kReceive;
      Poco::Net::HTTPResponse response;
      std::istream& in = session.receiveResponse(response);
      *received_any = true;
      HttpResponse out;
      out.status = static_cast<int>(response.getStatus());
      out.reason = response.getReason();
      for (const auto& [k, v] : response) out.headers.emplace_back(k, v);
      Poco::StreamCopier::copyToString(in, out.body);
      if (!response.getKeepAlive()) conn.session.reset();
      return out;
    } catch (const Poco::Net::NoMessageException& e) {
      conn.session.reset();  // closed before answering: nothing received
      return MapException(e, stage, origin_, deadline);
    } catch (const Poco::Exception& e) {
      conn.session.reset();
      if (stage == Stage::kReceive && !dynamic_cast<const Poco::TimeoutException*>(&e)) *received_any = true;
      return MapException(e, stage, origin_, deadline);
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
    return std::shared_ptr<HttpsTransport>(
        std::make_shared<PooledHttpsTransport>(origin, std::move(context), std::move(proxy).value()));
  } catch (const Poco::Exception& e) {
    return Status(codes::kTlsFailure, ErrorClass::kInvalidInput,
                  "cannot set up TLS for " + origin.host + " (CA bundle '" + origin.ca_bundle + "'): " + e.displayText());
  }
}

}  // namespace geoekm
