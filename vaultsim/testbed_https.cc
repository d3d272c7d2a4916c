#include "vaultsim/testbed_https.h"

#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <sstream>

#include "core/error_codes.h"

namespace geoekm::vaultsim {
namespace {

// Connects to 127.0.0.1 but presets the peer host name used for SNI and the
// certificate check (HTTPSClientSession only fills it in when it is empty).
class LoopbackSession final : public Poco::Net::HTTPSClientSession {
 public:
  LoopbackSession(int port, Poco::Net::Context::Ptr context, const std::string& host)
      : HTTPSClientSession("127.0.0.1", static_cast<Poco::UInt16>(port), context) {
    Poco::Net::SecureStreamSocket secure(socket());
    secure.setPeerHostName(host);
  }
};

}  // namespace

Result<TestbedResponse> TestbedHttps::Send(const std::string& host, int port, const std::string& method,
                                           const std::string& path,
                                           const std::vector<std::pair<std::string, std::string>>& headers,
                                           const std::string& content_type, const std::string& body) const {
  try {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_STRICT, 9, false);
    context->addCertificateAuthority(Poco::Crypto::X509Certificate(ca_file_));
    LoopbackSession session(port, context, host);
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(host, static_cast<Poco::UInt16>(port));
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      if (!content_type.empty()) request.setContentType(content_type);
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    TestbedResponse out;
    out.status = static_cast<int>(response.getStatus());
    std::ostringstream text;
    Poco::StreamCopier::copyStream(in, text);
    out.body = text.str();
    return out;
  } catch (const Poco::Exception& e) {
    return Status(codes::kTlsFailure, ErrorClass::kTransient,
                  method + " https://" + host + ":" + std::to_string(port) + " failed: " + e.displayText());
  }
}

}  // namespace geoekm::vaultsim
