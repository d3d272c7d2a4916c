#include "keyvault/identity/managed_identity_source.h"

#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <map>

#include "core/error_codes.h"
#include "keyvault/identity/plain_http_exchange.h"

namespace geoekm {
namespace {

const char* NoEnv(const char*) { return nullptr; }

struct ScriptedExchange {
  std::vector<HttpRequest> requests;
  std::vector<std::pair<int, std::string>> answers;  // consumed in order, last repeats
  HttpExchange exchange() {
    return [this](const HttpRequest& r, Deadline) -> Result<HttpResponse> {
      requests.push_back(r);
      auto [status, body] = answers[std::min(requests.size(), answers.size()) - 1];
      HttpResponse res;
      res.status = status;
      res.body = body;
      return res;
    };
  }
};

const char kImdsBody[] =
    R"({"access_token":"mi-token","refresh_token":"","expires_in":"3599","expires_on":"1506484173","not_before":"1506480273","resource":"https://vault.test","token_type":"Bearer"})";

std::string Header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

TEST(ManagedIdentityEndpointTest, DefaultsToImds) {
  auto e = ManagedIdentityEndpoint::Resolve(CredentialOptions{}, NoEnv);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, ManagedIdentityEndpoint::Kind::kImds);
  EXPECT_EQ(e->host, "169.254.169.254");
  EXPECT_EQ(e->port, 80);
  EXPECT_EQ(e->path, "/metadata/identity/oauth2/token");
}

TEST(ManagedIdentityEndpointTest, ConfiguredEndpointWinsAndGetsImdsPath) {
  CredentialOptions auth;
  auth.managed_identity_endpoint = "http://127.0.0.1:4242";
  auto env = [](const char* n) -> const char* {
    return std::string(n) == "IDENTITY_ENDPOINT" ? "http://127.0.0.1:1/msi" : "hdr";
  };
  auto e = ManagedIdentityEndpoint::Resolve(auth, env);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, ManagedIdentityEndpoint::Kind::kImds);
  EXPECT_EQ(e->port, 4242);
  EXPECT_EQ(e->path, "/metadata/identity/oauth2/token");
  auth.managed_identity_endpoint = "ftp://x";
  EXPECT_EQ(ManagedIdentityEndpoint::Resolve(auth, NoEnv).status().code(), codes::kConfigInvalid);
}

TEST(ManagedIdentitySourceTest, ImdsRequestShape) {
  ScriptedExchange rec;
  rec.answers = {{200, kImdsBody}};
  ManagedIdentitySource source(ManagedIdentityEndpoint::Resolve(CredentialOptions{}, NoEnv).value(), "", rec.exchange());
  auto t = source.Fetch({"ignored", "https://vault.test"}, Deadline::Never());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::string_view(t->value), "mi-token");
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_EQ(rec.requests[0].method, "GET");
  EXPECT_EQ(rec.requests[0].target,
            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.test");
  EXPECT_EQ(Header(rec.requests[0], "Metadata"), "true");
}

TEST(ManagedIdentitySourceTest, UserAssignedClientId) {
  ScriptedExchange rec;
  rec.answers = {{200, kImdsBody}};
  ManagedIdentitySource source(ManagedIdentityEndpoint::Resolve(CredentialOptions{}, NoEnv).value(), "uai-1",
                               rec.exchange());
  ASSERT_TRUE(source.Fetch({"", "https://vault.test"}, Deadline::Never()).ok());
  EXPECT_NE(rec.requests[0].target.find("&client_id=uai-1"), std::string::npos);
}

TEST(ManagedIdentitySourceTest, AppServiceRequestShape) {
  auto env = [](const char* n) -> const char* {
    std::string name(n);
    if (name == "IDENTITY_ENDPOINT") return "http://127.0.0.1:41234/msi/token";
    if (name == "IDENTITY_HEADER") return "header-secret";
    return nullptr;
  };
  auto e = ManagedIdentityEndpoint::Resolve(CredentialOptions{}, env);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, ManagedIdentityEndpoint::Kind::kAppService);
  ScriptedExchange rec;
  rec.answers = {{200, R"({"access_token":"as-token","expires_on":"99999999999","resource":"https://vault.test","token_type":"Bearer"})"}};
  rec.answers[0].second = R"({"access_token":"as-token","expires_on":"4102444800","token_type":"Bearer"})";
  ManagedIdentitySource source(std::move(e).value(), "", rec.exchange());
  auto t = source.Fetch({"", "https://vault.test"}, Deadline::Never());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->expires_on, 4102444800);
  EXPECT_EQ(rec.requests[0].target, "/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fvault.test");
  EXPECT_EQ(Header(rec.requests[0], "X-IDENTITY-HEADER"), "header-secret");
  EXPECT_EQ(Header(rec.requests[0], "Metadata"), "<absent>");
}

TEST(ManagedIdentitySourceTest, RetriesImdsUnavailableThenSucceeds) {
  ScriptedExchange rec;
  rec.answers = {{503, ""}, {410, ""}, {200, kImdsBody}};
  ManagedIdentitySource source(ManagedIdentityEndpoint::Resolve(CredentialOptions{}, NoEnv).value(), "", rec.exchange());
  auto t = source.Fetch({"", "https://vault.test"}, Deadline::After(Millis(30000)));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(rec.requests.size(), 3u);
}

TEST(ManagedIdentitySourceTest, BadRequestIsNotRetried) {
  ScriptedExchange rec;
  rec.answers = {{400, R"({"error":"invalid_resource","error_description":"AADSTS50001: resource not found"})"}};
  ManagedIdentitySource source(ManagedIdentityEndpoint::Resolve(CredentialOptions{}, NoEnv).value(), "", rec.exchange());
  auto t = source.Fetch({"", "https://vault.test"}, Deadline::After(Millis(30000)));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kTokenFailed);
  EXPECT_EQ(rec.requests.size(), 1u);
}

// PlainHttpExchange against a real in-process HTTP server on loopback.
class EchoHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    res.setContentType("application/json");
    if (req.get("Metadata", "") != "true") {
      res.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      res.send() << R"({"error":"bad_request_102","error_description":"Required metadata header not specified"})";
      return;
    }
    res.send() << R"({"access_token":"loopback-token","expires_in":"3599","uri":")" << req.getURI() << "\"}";
  }
};

class EchoFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new EchoHandler;
  }
};

TEST(PlainHttpExchangeTest, TalksToALoopbackImds) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::HTTPServer server(new EchoFactory, socket, new Poco::Net::HTTPServerParams);
  server.start();
  CredentialOptions auth;
  auth.managed_identity_endpoint = "http://127.0.0.1:" + std::to_string(socket.address().port());
  auto endpoint = ManagedIdentityEndpoint::Resolve(auth, NoEnv).value();
  auto plain = std::make_shared<PlainHttpExchange>(endpoint.host, endpoint.port);
  ManagedIdentitySource source(endpoint, "", [plain](const HttpRequest& r, Deadline d) { return plain->Send(r, d); });
  auto t = source.Fetch({"", "https://vault.test"}, Deadline::After(Millis(10000)));
  server.stop();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::string_view(t->value), "loopback-token");
}

TEST(PlainHttpExchangeTest, ConnectionRefusedIs3004Transient) {
  int port;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }
  PlainHttpExchange plain("127.0.0.1", port);
  HttpRequest r;
  r.target = "/metadata/identity/oauth2/token";
  auto res = plain.Send(r, Deadline::After(Millis(5000)));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), codes::kHttpConnectSession);
  EXPECT_EQ(res.status().error_class(), ErrorClass::kTransient);
}

}  // namespace
}  // namespace geoekm
