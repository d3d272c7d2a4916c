#include "vault_router/auth/plain_http_exchange.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include <algorithm>

#include "core/error_codes.h"

namespace geoekm {
namespace {

Poco::Timespan ToTimespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(std::max<std::int64_t>(ms.count(), 1)) * 1000);
}

}  // namespace

PlainHttpExchange::PlainHttpExchange(std::string host, int port, std::chrono::milliseconds connect_timeout,
                                     std::chrono::milliseconds try_timeout)
    : host_(std::move(host)), port_(port), connect_timeout_(connect_timeout), try_timeout_(try_timeout) {}

Result<HttpResponse> PlainHttpExchange::Send(const HttpRequest& request, Deadline deadline) const {
  std::string where = "http://" + host_ + ":" + std::to_string(port_);
  if (deadline.expired()) {
    return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, "deadline passed before contacting " + where);
  }
  int stage = codes::kHttpSendRequest;
  try {
    Poco::Net::HTTPClientSession session;
    session.setProxyConfig(Poco::Net::HTTPClientSession::ProxyConfig());  // never a proxy
    session.setHost(host_);
    session.setPort(static_cast<Poco::UInt16>(port_));
    session.setKeepAlive(false);
    session.setTimeout(ToTimespan(deadline.remaining(connect_timeout_)), ToTimespan(deadline.remaining(try_timeout_)),
                       ToTimespan(deadline.remaining(try_timeout_)));

    Poco::Net::HTTPRequest req(request.method, request.target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : request.headers) req.set(name, value);
    if (!request.body.empty() || request.method == "POST") req.setContentLength(static_cast<std::streamsize>(request.body.size()));
    stage = codes::kHttpSendRequest;  // sendRequest() connects too: refusals are caught below
    std::ostream& out = session.sendRequest(req);
    out << request.body;
    stage = codes::kHttpReadData;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    HttpResponse response;
    response.status = static_cast<int>(res.getStatus());
    response.reason = res.getReason();
    for (const auto& [name, value] : res) response.headers.emplace_back(name, value);
    Poco::StreamCopier::copyToString(in, response.body);
    return response;
  } catch (const Poco::Net::HostNotFoundException& e) {
    return Status(codes::kVaultNameNotResolved, ErrorClass::kTransient, where + ": " + e.displayText());
  } catch (const Poco::Net::NoAddressFoundException& e) {
    return Status(codes::kVaultNameNotResolved, ErrorClass::kTransient, where + ": " + e.displayText());
  } catch (const Poco::Net::ConnectionRefusedException& e) {
    return Status(codes::kHttpConnectSession, ErrorClass::kTransient, where + ": " + e.displayText());
  } catch (const Poco::TimeoutException& e) {
    if (deadline.expired()) {
      return Status(codes::kDeadlineExceeded, ErrorClass::kTransient, where + ": deadline passed");
    }
    return Status(stage, ErrorClass::kTransient, where + ": timed out (" + e.displayText() + ")");
  } catch (const Poco::Exception& e) {
    return Status(stage, ErrorClass::kTransient, where + ": " + e.displayText());
  }
}

}  // namespace geoekm
