#include "vaultsim/login_service.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <signal.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>

#include "vaultsim/config_argument.h"
#include "vaultsim/imds_endpoint.h"
#include "vaultsim/login_config.h"
#include "vaultsim/login_discovery.h"
#include "vaultsim/login_error.h"
#include "vaultsim/login_token_endpoint.h"
#include "vaultsim/login_token_minter.h"

namespace geoekm::vaultsim {
namespace {

constexpr std::streamsize kMaxBody = 64 * 1024;

std::int64_t Now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::mutex log_mutex;

// One line per request; never the body, the query or headers (secrets).
void LogRequest(const char* server, const std::string& method, const std::string& path, int status) {
  std::lock_guard<std::mutex> lock(log_mutex);
  std::cerr << "vaultsim login [" << server << "] " << method << " " << path << " -> " << status << std::endl;
}

// Written temp file + rename so a reader never sees a partial port number.
bool WritePortFile(const std::string& path, int port) {
  if (path.empty()) return true;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

void Send(Poco::Net::HTTPServerResponse& response, const LoginReply& reply) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType("application/json; charset=utf-8");
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
  response.send() << reply.body;
}

std::string PathOf(const std::string& uri) {
  try {
    return Poco::URI(uri).getPath();
  } catch (const Poco::Exception&) {
    return std::string();
  }
}

struct Services {
  std::string base_url;
  const TokenEndpoint* token = nullptr;
  const LoginDiscovery* discovery = nullptr;
  const ManagedIdentityEndpoint* managed_identity = nullptr;
};

class LoginHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit LoginHandler(const Services& s) : s_(s) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const std::string path = PathOf(request.getURI());
    LoginReply reply = Route(request, path);
    LogRequest("https", request.getMethod(), path, reply.status);
    Send(response, reply);
  }

 private:
  LoginReply Route(Poco::Net::HTTPServerRequest& request, const std::string& path) {
    const std::int64_t now = Now();
    Poco::StringTokenizer parts(path, "/", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    std::vector<std::string> seg(parts.begin(), parts.end());
    const bool v2 = seg.size() == 4 && seg[1] == "oauth2" && seg[2] == "v2.0" && seg[3] == "token";
    const bool v1 = seg.size() == 3 && seg[1] == "oauth2" && seg[2] == "token";
    const std::string client_request_id = request.get("client-request-id", "");
    if (v1 || v2) {
      if (request.getMethod() != "POST") {
        return EntraError{400, "invalid_request", 900561,
                          "The endpoint only accepts POST, OPTIONS requests. Received a " + request.getMethod() +
                              " request."}
            .ToReply(client_request_id, now);
      }
      TokenRequest t;
      t.tenant = seg[0];
      t.v1 = v1;
      t.authorization = request.get("Authorization", "");
      t.client_request_id = client_request_id;
      t.base_url = s_.base_url;
      if (request.getContentLength() > kMaxBody) {
        return EntraError{400, "invalid_request", 90014, "The request body is too large."}.ToReply(client_request_id,
                                                                                                     now);
      }
      try {
        Poco::Net::HTMLForm form;
        form.setFieldLimit(100);
        form.load(request, request.stream());
        for (const auto& [name, value] : form) t.form[name] = value;
      } catch (const Poco::Exception&) {
        return EntraError{400, "invalid_request", 900144,
                          "The request body must contain the following parameter: 'grant_type'."}
            .ToReply(client_request_id, now);
      }
      if (!t.client_request_id.empty()) {
        LoginReply r = s_.token->Handle(t, now);
        r.headers.emplace_back("client-request-id", t.client_request_id);
        return r;
      }
      return s_.token->Handle(t, now);
    }
    if (request.getMethod() == "GET") {
      if (auto r = s_.discovery->Handle(path, s_.base_url, now)) return *r;
    }
    return LoginReply{404, R"({"error":"not_found","error_description":"No such endpoint on this login service."})",
                      {}};
  }

  const Services& s_;
};

class ManagedIdentityHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ManagedIdentityHandler(const Services& s) : s_(s) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    ManagedIdentityRequest r;
    r.method = request.getMethod();
    try {
      Poco::URI uri(request.getURI());
      r.path = uri.getPath();
      for (const auto& [name, value] : uri.getQueryParameters()) r.query[name] = value;
    } catch (const Poco::Exception&) {
      r.path = "/";
    }
    if (request.has("Metadata")) r.metadata = request.get("Metadata");
    if (request.has("X-IDENTITY-HEADER")) r.identity_header = request.get("X-IDENTITY-HEADER");
    LoginReply reply = s_.managed_identity->Handle(r, Now());
    LogRequest("managed-identity", r.method, r.path, reply.status);
    Send(response, reply);
  }

 private:
  const Services& s_;
};

template <typename Handler>
class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(const Services& s) : s_(s) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(s_);
  }

 private:
  const Services& s_;
};

}  // namespace

int RunLoginService(int argc, char** argv) {
  const std::optional<std::string> config_path = ConfigArgument("login", argc, argv);
  if (!config_path) return 2;
  auto config = LoadLoginConfig(*config_path);
  if (!config.ok()) {
    std::cerr << "vaultsim login: " << config.status().ToString() << "\n";
    return 2;
  }
  auto issuer = AccessTokenIssuer::FromKeyFile(config->signing_key);
  if (!issuer.ok()) {
    std::cerr << "vaultsim login: " << issuer.status().ToString() << "\n";
    return 2;
  }
  LoginTokenMinter minter(std::move(issuer).value(), config->token_lifetime_seconds, config->clock_offset_seconds);
  auto token = TokenEndpoint::Create(*config, minter);
  if (!token.ok()) {
    std::cerr << "vaultsim login: " << token.status().ToString() << "\n";
    return 2;
  }
  auto discovery = LoginDiscovery::Create(*config);
  if (!discovery.ok()) {
    std::cerr << "vaultsim login: " << discovery.status().ToString() << "\n";
    return 2;
  }
  ManagedIdentityEndpoint managed_identity(*config, minter);

  // Block the stop signals before any server thread exists so that only
  // sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  Services services;
  services.token = token->get();
  services.discovery = discovery->get();
  services.managed_identity = &managed_identity;
  std::unique_ptr<Poco::Net::HTTPServer> https, http;
  int port = 0, mi_port = 0;
  try {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, config->tls_key,
                                                             config->tls_cert, "", Poco::Net::Context::VERIFY_NONE);
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(config->port)),
                                         64, context);
    port = socket.address().port();
    services.base_url = "https://" + config->host + ":" + std::to_string(port);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(16);
    params->setKeepAlive(true);
    https = std::make_unique<Poco::Net::HTTPServer>(new Factory<LoginHandler>(services), socket, params);
    https->start();
    if (config->managed_identity_enabled) {
      Poco::Net::ServerSocket mi_socket(
          Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(config->managed_identity_port)), 64);
      mi_port = mi_socket.address().port();
      auto* mi_params = new Poco::Net::HTTPServerParams;
      mi_params->setMaxThreads(8);
      http = std::make_unique<Poco::Net::HTTPServer>(new Factory<ManagedIdentityHandler>(services), mi_socket,
                                                     mi_params);
      http->start();
    }
  } catch (const Poco::Exception& e) {
    std::cerr << "vaultsim login: cannot start: " << e.displayText() << "\n";
    return 1;
  }
  if (!WritePortFile(config->port_file, port) ||
      (config->managed_identity_enabled && !WritePortFile(config->managed_identity_port_file, mi_port))) {
    std::cerr << "vaultsim login: cannot write port file\n";
    return 1;
  }
  std::cerr << "vaultsim login: " << services.base_url << " listening on https://127.0.0.1:" << port;
  if (http) std::cerr << "; managed identity on http://127.0.0.1:" << mi_port;
  std::cerr << std::endl;

  int sig = 0;
  sigwait(&stop, &sig);
  std::cerr << "vaultsim login: stopping on signal " << sig << std::endl;
  if (http) http->stopAll(true);
  https->stopAll(true);
  return 0;
}

}  // namespace geoekm::vaultsim
