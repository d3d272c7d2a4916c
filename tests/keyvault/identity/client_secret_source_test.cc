#include "keyvault/identity/client_secret_source.h"

#include <gtest/gtest.h>

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/TemporaryFile.h>
#include <Poco/URI.h>

#include <fstream>

#include "core/error_codes.h"

namespace geoekm {
namespace {

CredentialOptions Config(TokenEndpointVersion v = TokenEndpointVersion::kV2) {
  CredentialOptions auth;
  auth.authority_host = "https://login.test:8443";
  auth.endpoint_version = v;
  auth.client_id = "0123456789abcdef0123456789abcdef";
  return auth;
}

std::map<std::string, std::string> Form(const std::string& body) {
  std::map<std::string, std::string> out;
  Poco::URI uri("http://x/?" + body);
  for (const auto& [k, v] : uri.getQueryParameters()) out[k] = v;
  return out;
}

struct LastRequestExchange {
  HttpRequest last;
  int status = 200;
  std::string body = R"({"token_type":"Bearer","expires_in":3599,"access_token":"at-1"})";
  HttpExchange exchange() {
    return [this](const HttpRequest& r, Deadline) -> Result<HttpResponse> {
      last = r;
      HttpResponse res;
      res.status = status;
      res.body = body;
      return res;
    };
  }
};

TEST(ClientSecretSourceTest, V2RequestShape) {
  LastRequestExchange rec;
  auto endpoint = TokenEndpoint::FromConfig(Config());
  ASSERT_TRUE(endpoint.ok());
  ClientSecretSource source(endpoint.value(), Config().client_id, SecureString("p@ss&word=+/ x"), "",
                            rec.exchange());
  auto t = source.Fetch({"tenant-9", "https://vault.test"}, Deadline::Never());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::string_view(t->value), "at-1");
  EXPECT_EQ(rec.last.method, "POST");
  EXPECT_EQ(rec.last.target, "/tenant-9/oauth2/v2.0/token");
  auto form = Form(rec.last.body);
  EXPECT_EQ(form["grant_type"], "client_credentials");
  EXPECT_EQ(form["client_id"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(form["client_secret"], "p@ss&word=+/ x");
  EXPECT_EQ(form["scope"], "https://vault.test/.default");
  EXPECT_EQ(form.count("resource"), 0u);
  EXPECT_EQ(rec.last.body.rfind("grant_type=client_credentials&client_id=", 0), 0u) << "C++ SDK field order";
}

TEST(ClientSecretSourceTest, V1UsesResource) {
  LastRequestExchange rec;
  auto endpoint = TokenEndpoint::FromConfig(Config(TokenEndpointVersion::kV1));
  ClientSecretSource source(endpoint.value(), "cid", SecureString("s"), "", rec.exchange());
  rec.body = R"({"access_token":"at-v1","token_type":"Bearer","expires_in":"3599","expires_on":"1388452167"})";
  auto t = source.Fetch({"t", "https://vault.test"}, Deadline::Never());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(rec.last.target, "/t/oauth2/token");
  auto form = Form(rec.last.body);
  EXPECT_EQ(form["resource"], "https://vault.test");
  EXPECT_EQ(form.count("scope"), 0u);
}

TEST(ClientSecretSourceTest, SecretFileIsReadAtEachFetch) {
  Poco::TemporaryFile file;
  { std::ofstream(file.path()) << "first-secret\n"; }
  LastRequestExchange rec;
  auto endpoint = TokenEndpoint::FromConfig(Config());
  ClientSecretSource source(endpoint.value(), "cid", SecureString(), file.path(), rec.exchange());
  ASSERT_TRUE(source.Fetch({"t", "https://vault.test"}, Deadline::Never()).ok());
  EXPECT_EQ(Form(rec.last.body)["client_secret"], "first-secret");
  { std::ofstream(file.path()) << "rotated-secret"; }
  ASSERT_TRUE(source.Fetch({"t", "https://vault.test"}, Deadline::Never()).ok());
  EXPECT_EQ(Form(rec.last.body)["client_secret"], "rotated-secret");
}

TEST(ClientSecretSourceTest, MissingSecretFileIs3303) {
  LastRequestExchange rec;
  auto endpoint = TokenEndpoint::FromConfig(Config());
  ClientSecretSource source(endpoint.value(), "cid", SecureString(), "/nonexistent/secret", rec.exchange());
  auto t = source.Fetch({"t", "https://vault.test"}, Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kTokenBadCredentials);
}

TEST(ClientSecretSourceTest, WrongSecretIs3303AndNeverQuotesTheSecret) {
  LastRequestExchange rec;
  rec.status = 401;
  rec.body =
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided (got Sup3rS3cretValue).","error_codes":[7000215]})";
  auto endpoint = TokenEndpoint::FromConfig(Config());
  ClientSecretSource source(endpoint.value(), "cid", SecureString("Sup3rS3cretValue"), "", rec.exchange());
  auto t = source.Fetch({"t", "https://vault.test"}, Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kTokenBadCredentials);
  EXPECT_EQ(t.status().ToString().find("Sup3rS3cretValue"), std::string::npos) << t.status().ToString();
  EXPECT_NE(t.status().message().find("login.test:8443"), std::string::npos) << t.status().message();
}

TEST(ClientSecretSourceTest, TransportFailureKeepsItsCode) {
  auto endpoint = TokenEndpoint::FromConfig(Config());
  ClientSecretSource source(endpoint.value(), "cid", SecureString("s"), "",
                            [](const HttpRequest&, Deadline) -> Result<HttpResponse> {
                              return Status(codes::kHttpConnectSession, ErrorClass::kTransient, "refused");
                            });
  auto t = source.Fetch({"t", "https://vault.test"}, Deadline::Never());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), codes::kHttpConnectSession);
  EXPECT_EQ(t.status().error_class(), ErrorClass::kTransient);
}

TEST(TokenEndpointTest, RequiresHttpsAndKeepsBasePath) {
  CredentialOptions auth = Config();
  auth.authority_host = "http://login.test";
  EXPECT_EQ(TokenEndpoint::FromConfig(auth).status().code(), codes::kConfigInvalid);
  auth.authority_host = "https://login.microsoftonline.com/";
  auto e = TokenEndpoint::FromConfig(auth);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->UrlFor("t1"), "https://login.microsoftonline.com/t1/oauth2/v2.0/token");
  auth.authority_host = "https://login.test:9443/adfs-like";
  EXPECT_EQ(TokenEndpoint::FromConfig(auth)->UrlFor("t1"), "https://login.test:9443/adfs-like/t1/oauth2/v2.0/token");
}

}  // namespace
}  // namespace geoekm
