#include "vaultsim/https_adapter.h"

#include <sys/socket.h>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>
#include <thread>

namespace geoekm::vaultsim {
namespace {

constexpr std::size_t kMaxBody = 1 << 20;

ApiRequest ToApiRequest(Poco::Net::HTTPServerRequest& request) {
  ApiRequest r;
  r.method = Poco::toUpper(request.getMethod());
  Poco::URI uri(request.getURI());
  r.path = uri.getPath();
  for (const auto& [name, value] : uri.getQueryParameters()) r.query[Poco::toLower(name)] = value;
  for (const auto& [name, value] : request) r.headers[Poco::toLower(name)] = value;
  r.peer_address = request.clientAddress().host().toString();
  std::istream& in = request.stream();
  char buf[8192];
  while (in && r.body.size() < kMaxBody) {
    in.read(buf, sizeof buf);
    r.body.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  return r;
}

bool PeerStillConnected(Poco::Net::StreamSocket& socket) {
  char c;
  ssize_t n = ::recv(socket.impl()->sockfd(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n != 0;  // 0 = orderly close; -1/EAGAIN = idle; >0 = more data
}

// Drops the connection without an answer and with an RST (SO_LINGER 0), the
// way a crashed middlebox or a reset by the peer looks to the client.
void AbortConnection(Poco::Net::HTTPServerRequest& request) {
  Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
  try {
    socket.setLinger(true, 0);
    Poco::Net::SecureStreamSocket secure(socket);
    secure.abort();
  } catch (const Poco::Exception&) {
    // Already gone: nothing left to abort.
  }
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const RequestFn& handle, const std::function<bool()>& keep_holding)
      : handle_(handle), keep_holding_(keep_holding) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    PipelineResult result;
    try {
      result = handle_(ToApiRequest(request));
    } catch (const std::exception&) {
      result.response = ErrorResponse(500, "InternalServerError", "vaultsim failed to process the request.");
    }
    if (result.action == ConnectionAction::kBlackhole) {
      Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
      while (keep_holding_() && PeerStillConnected(socket)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      AbortConnection(request);
      return;
    }
    if (result.action == ConnectionAction::kReset) {
      AbortConnection(request);
      return;
    }
    const ApiResponse& r = result.response;
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
    for (const auto& [name, value] : r.headers) response.add(name, value);
    if (r.status == 204 || r.body.empty()) {
      response.setContentLength(0);
      response.send();
      return;
    }
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(r.body.size()));
    response.send() << r.body;
  }

 private:
  const RequestFn& handle_;
  const std::function<bool()>& keep_holding_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(RequestFn handle, std::function<bool()> keep_holding)
      : handle_(std::move(handle)), keep_holding_(std::move(keep_holding)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(handle_, keep_holding_);
  }

 private:
  RequestFn handle_;
  std::function<bool()> keep_holding_;
};

}  // namespace

Poco::Net::HTTPRequestHandlerFactory::Ptr MakeHandlerFactory(RequestFn handle, std::function<bool()> keep_holding) {
  return new Factory(std::move(handle), std::move(keep_holding));
}

}  // namespace geoekm::vaultsim
