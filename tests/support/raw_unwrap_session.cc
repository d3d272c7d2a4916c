#include "tests/support/raw_unwrap_session.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>

#include "core/base64url.h"
#include "keyvault/http/poco_message.h"
#include "keyvault/http/request_wire.h"

namespace geoekm::testing {

RawUnwrapSession::RawUnwrapSession(const RawUnwrapTarget& target)
    : target_(target),
      context_(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", target.ca_bundle,
                                      Poco::Net::Context::VERIFY_STRICT, 9, false)),
      socket_(context_),
      session_(target.host, target.port, context_, socket_) {
  socket_.setPeerHostName(target_.host);
  session_.setKeepAlive(true);
  socket_.connect(Poco::Net::SocketAddress(target_.connect_to_host, static_cast<Poco::UInt16>(target_.connect_to_port)));
}

std::string RawUnwrapSession::Body(const Bytes& wrapped) const {
  return R"({"alg":")" + target_.algorithm + R"(","value":")" + Base64UrlEncode(wrapped) + "\"}";
}

Poco::Net::HTTPRequest RawUnwrapSession::Request(std::size_t body_size) const {
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST,
                             "/keys/" + target_.key_name + "/" + target_.version + "/unwrapkey?api-version=7.4",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.setKeepAlive(true);
  req.set("Authorization", "Bearer " + target_.token);
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(body_size));
  return req;
}

bool RawUnwrapSession::Unwrap(const Bytes& wrapped) {
  const std::string body = Body(wrapped);
  Poco::Net::HTTPRequest req = Request(body.size());
  session_.sendRequest(req) << body;
  Poco::Net::HTTPResponse res;
  std::string out;
  Poco::StreamCopier::copyToString(session_.receiveResponse(res), out);
  return res.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
}

bool RawUnwrapSession::UnwrapInOneWrite(const Bytes& wrapped) {
  HttpRequest req;
  req.method = "POST";
  req.target = "/keys/" + target_.key_name + "/" + target_.version + "/unwrapkey?api-version=7.4";
  req.headers = {{"Authorization", "Bearer " + target_.token}, {"Content-Type", "application/json"}};
  req.body = Body(wrapped);
  Result<SecureString> wire = SerializeRequest(req, target_.host, target_.port, /*keep_alive=*/true);
  if (!wire.ok()) return false;
  SendInOneWrite(session_, *wire);
  HttpResponse res;
  BodyFraming framing;
  ReceiveHead(session_, &res, &framing);
  return ReceiveBody(session_, framing, 1 << 20, &res.body).ok() && res.status == Poco::Net::HTTPResponse::HTTP_OK;
}

}  // namespace geoekm::testing
