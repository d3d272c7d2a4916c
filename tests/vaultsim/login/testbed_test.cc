// Integration tests of `vaultsim testbed` and the login service over real
// TLS: the testbed's processes, files and key copies, the token endpoints
// on the wire, the managed-identity endpoints over plain HTTP, expired tokens
// refused by a vault, host-name verification, configs accepted by
// `geoekm config check`, and an idempotent `down`.
#include "tests/support/testbed.h"

#include <Poco/Base64Encoder.h>
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/jwk_thumbprint.h"
#include "vaultsim/file_text.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_https_client.h"
#include "tests/support/testbed_suite.h"

namespace geoekm::testing {
namespace {

std::string Encode(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "!#$&'()*+,/:;=?@[]~", out);
  return out;
}

Poco::JSON::Object::Ptr Json(const std::string& text) {
  try {
    Poco::JSON::Parser p;
    return p.parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (...) {
    return new Poco::JSON::Object;
  }
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

std::string ReadAll(const std::string& path) { return vaultsim::ReadFileText(path).value_or(""); }

// Stopped daemons may linger as zombies when no init reaps them.
bool Alive(int pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  const std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return !(close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
}

struct PlainResponse {
  int status = 0;
  std::string body;
};

PlainResponse PlainGet(int port, const std::string& target, const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  return {static_cast<int>(resp.getStatus()), body.str()};
}

class TestbedTest : public TestbedSuite {
 protected:
  static TestHttpsClient Login() { return TestHttpsClient(info().login_host, info().login_port, info().ca_bundle); }

  static TestResponse TokenV2(const std::string& form, const std::map<std::string, std::string>& headers = {}) {
    auto c = Login();
    std::map<std::string, std::string> h = headers;
    h["Content-Type"] = "application/x-www-form-urlencoded";
    return c.Send("POST", "/" + info().tenant + "/oauth2/v2.0/token", form, h);
  }

  static std::string SecretForm() {
    return "grant_type=client_credentials&client_id=" + info().client_id +
           "&client_secret=" + Encode(testbed().ClientSecret()) + "&scope=" + Encode(info().resource + "/.default");
  }

  static std::string Token() {
    auto r = TokenV2(SecretForm());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()->optValue<std::string>("access_token", "");
  }
};

TEST_F(TestbedTest, StartsLoginAndThreeVaultsInTwoGeographies) {
  ASSERT_EQ(info().vaults.size(), 3u);
  EXPECT_EQ(info().Vault("eastus").geography, "US");
  EXPECT_EQ(info().Vault("westus").geography, "US");
  EXPECT_EQ(info().Vault("japaneast").geography, "JP");
  EXPECT_EQ(info().Vault("eastus").host, "geoekm-eastus.vault.test");
  EXPECT_EQ(info().resource, "https://vault.test");
  EXPECT_EQ(info().client_id.size(), 32u);
  EXPECT_TRUE(Alive(info().login_pid));
  std::set<int> ports = {info().login_port, info().managed_identity_port};
  for (const auto& v : info().vaults) {
    EXPECT_TRUE(Alive(v.pid)) << v.name;
    ports.insert(v.port);
    ports.insert(v.admin_port);
  }
  EXPECT_EQ(ports.size(), 8u);
  EXPECT_EQ(Mode(info().client_secret_file), 0600u);
  EXPECT_EQ(Mode(info().escrow_file), 0600u);
  EXPECT_GE(testbed().ClientSecret().size(), 32u);
}

TEST_F(TestbedTest, KeyCopiesShareThumbprintAndUsVersion) {
  ASSERT_EQ(info().key_copies.size(), 3u);
  EXPECT_EQ(info().key_copies[0].version, info().key_copies[1].version);  // restore keeps the version
  EXPECT_NE(info().key_copies[0].version, info().key_copies[2].version);  // import makes a new one
  const std::string token = Token();
  ASSERT_FALSE(token.empty());
  for (const auto& copy : info().key_copies) {
    const auto& v = info().Vault(copy.vault);
    TestHttpsClient c(v.host, v.port, info().ca_bundle);
    c.SetDefaultHeader("Authorization", "Bearer " + token);
    auto r = c.Send("GET", "/keys/" + info().key_name + "/" + copy.version + "?api-version=7.5");
    ASSERT_EQ(r.status, 200) << copy.vault << ": " << r.body;
    auto key = r.Json()->getObject("key");
    ASSERT_TRUE(key);
    auto t = RsaJwkThumbprint(key->getValue<std::string>("kty"), key->getValue<std::string>("n"),
                              key->getValue<std::string>("e"));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(*t, info().thumbprint) << copy.vault;
  }
  // The escrow holds the private key of the same thumbprint.
  auto jwk = Json(ReadAll(info().escrow_file));
  EXPECT_TRUE(jwk->has("d"));
  auto t = RsaJwkThumbprint("RSA", jwk->optValue<std::string>("n", ""), jwk->optValue<std::string>("e", ""));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, info().thumbprint);
}

TEST_F(TestbedTest, V2AndV1AndBasicOverTls) {
  auto v2 = TokenV2(SecretForm());
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_TRUE(v2.Json()->get("expires_in").isInteger());
  EXPECT_EQ(v2.Header("cache-control"), "no-store, no-cache");

  auto c = Login();
  auto v1 = c.Send("POST", "/" + info().tenant + "/oauth2/token",
                   "grant_type=client_credentials&client_id=" + info().client_id +
                       "&client_secret=" + Encode(testbed().ClientSecret()) + "&resource=" + Encode(info().resource),
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_TRUE(v1.Json()->get("expires_on").isString());

  std::ostringstream basic;
  Poco::Base64Encoder enc(basic);
  enc.rdbuf()->setLineLength(0);
  enc << info().client_id << ":" << Encode(testbed().ClientSecret());
  enc.close();
  auto b = TokenV2("grant_type=client_credentials&scope=" + Encode(info().resource + "/.default"),
                   {{"Authorization", "Basic " + basic.str()}});
  EXPECT_EQ(b.status, 200) << b.body;
}

TEST_F(TestbedTest, ErrorsOverTlsKeepTheirShape) {
  auto r = TokenV2("grant_type=client_credentials&client_id=" + info().client_id +
                   "&client_secret=wrong&scope=" + Encode(info().resource + "/.default"),
                   {{"client-request-id", "5b9a1c2d-0000-4000-8000-000000000001"}});
  EXPECT_EQ(r.status, 401);
  auto body = r.Json();
  EXPECT_EQ(body->optValue<std::string>("error", ""), "invalid_client");
  EXPECT_EQ(body->optValue<std::string>("correlation_id", ""), "5b9a1c2d-0000-4000-8000-000000000001");
  EXPECT_NE(r.body.find("\\r\\nTrace ID: "), std::string::npos) << r.body;
  auto get = Login().Send("GET", "/" + info().tenant + "/oauth2/v2.0/token");
  EXPECT_EQ(get.status, 400);
  EXPECT_EQ(Login().Send("GET", "/nothing").status, 404);
}

TEST_F(TestbedTest, DiscoveryOverTls) {
  auto r = Login().Send("GET", "/" + info().tenant + "/v2.0/.well-known/openid-configuration");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()->optValue<std::string>("token_endpoint", ""), info().token_endpoint_v2);
}

TEST_F(TestbedTest, CertificateHostNameIsVerified) {
  // The login port with a name its certificate does not carry.
  TestHttpsClient wrong("geoekm-eastus.vault.test", info().login_port, info().ca_bundle);
  auto r = wrong.Send("GET", "/" + info().tenant + "/v2.0/.well-known/openid-configuration");
  EXPECT_EQ(r.status, 0) << "handshake should fail";
}

TEST_F(TestbedTest, ImdsRequiresMetadataHeader) {
  const std::string target = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + Encode(info().resource);
  auto no_header = PlainGet(info().managed_identity_port, target, {});
  EXPECT_EQ(no_header.status, 400);
  EXPECT_EQ(Json(no_header.body)->optValue<std::string>("error", ""), "bad_request_102");
  auto ok = PlainGet(info().managed_identity_port, target, {{"Metadata", "true"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto body = Json(ok.body);
  EXPECT_TRUE(body->get("expires_in").isString());
  // The identity's token opens the vault (it maps onto the app).
  const auto& east = info().Vault("eastus");
  TestHttpsClient c(east.host, east.port, info().ca_bundle);
  c.SetDefaultHeader("Authorization", "Bearer " + body->getValue<std::string>("access_token"));
  EXPECT_EQ(c.Send("GET", "/keys/" + info().key_name + "?api-version=7.5").status, 200);
}

TEST_F(TestbedTest, AppServiceRequiresIdentityHeader) {
  const std::string target = "/msi/token?api-version=2019-08-01&resource=" + Encode(info().resource);
  EXPECT_EQ(PlainGet(info().managed_identity_port, target, {}).status, 401);
  auto ok = PlainGet(info().managed_identity_port, target, {{"X-IDENTITY-HEADER", info().identity_header}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(Json(ok.body)->get("expires_on").isString());
}

// A second login service with its clock two hours behind issues tokens that
// are expired on arrival; the vault must refuse them with 401.
TEST_F(TestbedTest, ExpiredTokenRejectedByVault) {
  TempDir dir("geoekm-login-expired");
  auto config = Json(ReadAll(info().login_config_file));
  config->set("port", 0);
  config->set("port_file", dir.File("port"));
  config->remove("managed_identity");
  config->set("clock_offset_seconds", -7200);
  {
    std::ofstream out(dir.File("login.json"));
    config->stringify(out);
  }
  Poco::Process::Args args = {"login", "--config", dir.File("login.json")};
  Poco::ProcessHandle ph = Poco::Process::launch(Testbed::VaultsimBinary(), args);
  int port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {
    std::ifstream p(dir.File("port"));
    if (!(p >> port)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(port, 0);
  TestHttpsClient login(info().login_host, port, info().ca_bundle);
  auto r = login.Send("POST", "/" + info().tenant + "/oauth2/v2.0/token", SecretForm(),
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  Poco::Process::requestTermination(ph.id());
  ph.wait();
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& east = info().Vault("eastus");
  TestHttpsClient c(east.host, east.port, info().ca_bundle);
  c.SetDefaultHeader("Authorization", "Bearer " + r.Json()->getValue<std::string>("access_token"));
  auto denied = c.Send("GET", "/keys/" + info().key_name + "?api-version=7.5");
  EXPECT_EQ(denied.status, 401) << denied.body;
  EXPECT_NE(denied.ErrorMessage().find("expired"), std::string::npos) << denied.body;
  // A fresh token from the testbed's own login service works.
  c.SetDefaultHeader("Authorization", "Bearer " + Token());
  EXPECT_EQ(c.Send("GET", "/keys/" + info().key_name + "?api-version=7.5").status, 200);
}

#ifdef GEOEKM_CLI_BINARY
TEST_F(TestbedTest, WrittenConfigsPassGeoekmConfigCheck) {
  for (const auto& file : {info().geoekm_ini, info().geoekm_json, info().geoekm_certificate_ini,
                           info().geoekm_managed_identity_ini}) {
    Poco::Pipe out;
    Poco::Process::Args args = {"config", "check", file};
    Poco::ProcessHandle ph = Poco::Process::launch(GEOEKM_CLI_BINARY, args, nullptr, &out, &out);
    Poco::PipeInputStream stream(out);
    std::ostringstream text;
    Poco::StreamCopier::copyStream(stream, text);
    EXPECT_EQ(ph.wait(), 0) << file << ":\n" << text.str();
  }
}
#endif

TEST(TestbedLifecycleTest, DownStopsEverythingAndIsIdempotent) {
  auto tb = Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  const TestbedInfo info = (*tb)->info();
  std::string status_out;
  EXPECT_EQ(Testbed::RunVaultsim({"testbed", "status", "--dir", info.dir}, &status_out), 0) << status_out;
  // A second `up` in the same dir refuses while the first runs.
  std::string again;
  EXPECT_NE(Testbed::RunVaultsim({"testbed", "up", "--dir", info.dir}, &again), 0);
  EXPECT_NE(again.find("already running"), std::string::npos) << again;
  EXPECT_EQ((*tb)->Down(), 0);
  EXPECT_EQ((*tb)->last_down_output().find("SIGKILL"), std::string::npos) << (*tb)->last_down_output();
  for (int i = 0; i < 100 && Alive(info.login_pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(Alive(info.login_pid));
  for (const auto& v : info.vaults) EXPECT_FALSE(Alive(v.pid)) << v.name;
  std::string out;
  EXPECT_EQ(Testbed::RunVaultsim({"testbed", "down", "--dir", info.dir}, &out), 0);
  EXPECT_EQ(out.find("SIGKILL"), std::string::npos) << out;
  EXPECT_NE(out.find("0 process(es) stopped"), std::string::npos) << out;
  EXPECT_NE(Testbed::RunVaultsim({"testbed", "status", "--dir", info.dir}, &status_out), 0);
}

}  // namespace
}  // namespace geoekm::testing
