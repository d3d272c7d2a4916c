#include "tests/support/test_https_client.h"

#include <sys/socket.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <mutex>
#include <sstream>

namespace geoekm::testing {
namespace {

void InitSslOnce() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

// True when the peer has closed the connection (orderly FIN or error).
bool PeerClosed(Poco::Net::HTTPSClientSession& session) {
  if (!session.connected()) return true;
  char c;
  ssize_t n = ::recv(session.socket().impl()->sockfd(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

}  // namespace

std::string TestResponse::Header(const std::string& name) const {
  auto it = headers.find(Poco::toLower(name));
  return it == headers.end() ? "" : it->second;
}

Poco::JSON::Object::Ptr TestResponse::Json() const {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
  }
  return new Poco::JSON::Object;
}

std::string TestResponse::ErrorCode() const {
  Poco::JSON::Object::Ptr e = Json()->getObject("error");
  return e ? e->optValue<std::string>("code", "") : "";
}

std::string TestResponse::ErrorMessage() const {
  Poco::JSON::Object::Ptr e = Json()->getObject("error");
  return e ? e->optValue<std::string>("message", "") : "";
}

std::string TestResponse::InnerErrorCode() const {
  Poco::JSON::Object::Ptr e = Json()->getObject("error");
  Poco::JSON::Object::Ptr inner = e ? e->getObject("innererror") : nullptr;
  return inner ? inner->optValue<std::string>("code", "") : "";
}

TestHttpsClient::TestHttpsClient(std::string host, int port, std::string ca_file, std::string connect_address)
    : host_(std::move(host)), port_(port), connect_address_(std::move(connect_address)) {
  InitSslOnce();
  context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", ca_file,
                                    Poco::Net::Context::VERIFY_STRICT, 9, false);
}

TestHttpsClient::~TestHttpsClient() = default;
TestHttpsClient::TestHttpsClient(TestHttpsClient&&) noexcept = default;
TestHttpsClient& TestHttpsClient::operator=(TestHttpsClient&&) noexcept = default;

void TestHttpsClient::Connect() {
  session_.reset();
  Poco::Net::SecureStreamSocket socket(context_);
  socket.setPeerHostName(host_);  // SNI and the name the certificate must match
  auto session = std::make_unique<Poco::Net::HTTPSClientSession>(socket);
  session->setHost(host_);        // Host header; allowed only while unconnected
  session->setPort(static_cast<Poco::UInt16>(port_));
  session->setKeepAlive(true);
  session->setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));  // never let Poco reconnect (DNS) itself
  ++connections_opened_;
  // Connecting the shared socket impl connects the session; the TLS
  // handshake (and certificate check) happens here.
  socket.connect(Poco::Net::SocketAddress(connect_address_, static_cast<Poco::UInt16>(port_)),
                 Poco::Timespan(5, 0));
  session_ = std::move(session);
}

void TestHttpsClient::Disconnect() { session_.reset(); }

TestResponse TestHttpsClient::Send(const std::string& method, const std::string& target, const std::string& body,
                                   const std::map<std::string, std::string>& headers) {
  TestResponse out;
  try {
    if (!session_ || PeerClosed(*session_)) Connect();
    const Poco::Timespan timeout(static_cast<long>(timeout_.count() / 1000),
                                 static_cast<long>((timeout_.count() % 1000) * 1000));
    session_->setTimeout(timeout);
    // HTTPSession applies its timeouts to the socket only in its own
    // connect(), which never runs here (we connect the socket): set them on
    // the socket, or a server that never answers blocks forever.
    session_->socket().setReceiveTimeout(timeout);
    session_->socket().setSendTimeout(timeout);
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    for (const auto& [k, v] : default_headers_) request.set(k, v);
    for (const auto& [k, v] : headers) request.set(k, v);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      if (!request.has("Content-Type") && !body.empty()) request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session_->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    std::ostringstream text;
    Poco::StreamCopier::copyStream(in, text);
    out.status = static_cast<int>(response.getStatus());
    for (const auto& [k, v] : response) out.headers[Poco::toLower(k)] = v;
    out.body = text.str();
    if (!response.getKeepAlive()) session_.reset();
  } catch (const Poco::Exception& e) {
    out = TestResponse{};
    out.transport_error = e.displayText();
    session_.reset();
  } catch (const std::exception& e) {
    out = TestResponse{};
    out.transport_error = e.what();
    session_.reset();
  }
  return out;
}

}  // namespace geoekm::testing
