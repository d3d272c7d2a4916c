#include "keyvault/identity/plain_http_exchange.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <optional>

#include "core/error_codes.h"
#include "keyvault/http/poco_message.h"
#include "keyvault/http/socket_deadline.h"
#include "keyvault/http/untrusted_text.h"

namespace geoekm {
namespace {

Poco::Timespan ToTimespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(std::max<std::int64_t>(ms.count(), 1)) * 1000);
}

}  // namespace

PlainHttpExchange::PlainHttpExchange(std::string host, int port, std::chrono::milliseconds connect_timeout,
                                     std::chrono::milliseconds try_timeout, std::size_t max_response_bytes)
    : host_(std::move(host)),
      port_(port),
      connect_timeout_(connect_timeout),
      try_timeout_(try_timeout),
      max_response_bytes_(max_response_bytes) {}

Result<HttpResponse> PlainHttpExchange::Send(const HttpRequest& request, Deadline deadline) const {
  std::string where = "http://" + host_ + ":" + std::to_string(port_);
  if (deadline.expired()) {
    return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "deadline passed before contacting " + where);
  }
  int stage = codes::kHttpConnectSession;
  // Declared in this order so that the guard is disarmed before the session
  // closes the socket, on every path.
  std::optional<Poco::Net::HTTPClientSession> session;
  std::optional<SocketDeadline> guard;
  try {
    // Connected here rather than by the session, so that the whole exchange
    // after the connect is bounded by the try deadline, whatever the pace of
    // the endpoint's bytes.
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(host_, static_cast<Poco::UInt16>(port_)),
                   ToTimespan(deadline.remaining(connect_timeout_)));
    const Deadline try_deadline = deadline.Earlier(Deadline::After(try_timeout_));
    session.emplace(socket);
    session->setProxyConfig(Poco::Net::HTTPClientSession::ProxyConfig());  // never a proxy
    guard.emplace(socket.impl()->sockfd(), try_deadline);
    session->setKeepAlive(false);
    session->setTimeout(ToTimespan(deadline.remaining(connect_timeout_)), ToTimespan(try_deadline.remaining()),
                       ToTimespan(try_deadline.remaining()));

    Poco::Net::HTTPRequest req = ToPocoRequest(request, /*keep_alive=*/false);
    req.setHost(host_, static_cast<Poco::UInt16>(port_));  // the session did not connect, so it knows no host
    stage = codes::kHttpSendRequest;
    std::ostream& out = session->sendRequest(req);
    out << request.body;
    stage = codes::kHttpReadData;
    Poco::Net::HTTPResponse res;
    std::istream& in = session->receiveResponse(res);
    HttpResponse response;
    Status read = ReadPocoResponse(res, in, max_response_bytes_, &response);
    if (guard->fired()) throw Poco::TimeoutException("the try timeout passed");
    if (!read.ok()) return read.Prefix(where + ": ");
    return response;
  } catch (const Poco::Net::HostNotFoundException& e) {
    return Status(codes::kVaultNameNotResolved, ErrorClass::kTransient, where + ": " + e.displayText());
  } catch (const Poco::Net::NoAddressFoundException& e) {
    return Status(codes::kVaultNameNotResolved, ErrorClass::kTransient, where + ": " + e.displayText());
  } catch (const Poco::Net::ConnectionRefusedException& e) {
    return Status(codes::kHttpConnectSession, ErrorClass::kTransient, where + ": " + e.displayText());
  } catch (const Poco::Exception& e) {
    const bool timeout = (guard && guard->fired()) || dynamic_cast<const Poco::TimeoutException*>(&e);
    if (timeout && deadline.expired()) {
      return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, where + ": deadline passed");
    }
    if (timeout) return Status(stage, ErrorClass::kTransient, where + ": timed out");
    return Status(stage, ErrorClass::kTransient, where + ": " + EscapeControlBytes(e.displayText()));
  }
}

}  // namespace geoekm
