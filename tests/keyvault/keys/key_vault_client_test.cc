// KeyVaultClient against a real testbed (login service + vaultsim vaults over
// TLS on loopback): every operation, every fault mapped to its connector
// code, secrets never in errors, and many threads on one client.
#include "keyvault/keys/key_vault_client.h"
#include "provider/runtime/key_vault_client_factory.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "config/config_loader.h"
#include "core/base64url.h"
#include "core/cancel_signal.h"
#include "core/error_codes.h"
#include "tests/support/hostile_server.h"
#include "tests/support/test_pki_files.h"
#include "tests/support/testbed.h"
#include "tests/support/vaultsim_admin_client.h"
#include "tests/support/soon.h"

namespace geoekm {
namespace {

using testing::Soon;

class KeyVaultClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto tb = testing::Testbed::Start();
    ASSERT_TRUE(tb.ok()) << tb.status().ToString();
    testbed_ = std::move(tb).value().release();
    auto config = LoadVaultSetConfig(testbed_->info().geoekm_ini);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = new VaultSetConfig(*config);
    config_->router.retry_base_delay = std::chrono::milliseconds(20);
    config_->router.retry_max_delay = std::chrono::milliseconds(2000);
  }
  static void TearDownTestSuite() {
    delete config_;
    delete testbed_;
  }
  void TearDown() override {
    for (const char* v : {"eastus", "westus"}) {
      auto admin = Admin(v);
      admin.ClearFaults();
      admin.SetFirewallDeny(false);
      admin.Grant(testbed_->info().client_id, {"get", "list", "wrapKey", "unwrapKey", "backup", "restore", "create",
                                               "import", "update", "rotate"});
    }
  }

  static const VaultConfig& Vault(const std::string& name) {
    for (const auto& v : config_->vaults) {
      if (v.name == name) return v;
    }
    throw std::runtime_error("no vault " + name);
  }
  static testing::VaultSimAdminClient Admin(const std::string& vault) {
    return testbed_->Admin(vault);
  }
  struct Client {
    std::shared_ptr<VaultAuthenticator> auth;
    std::unique_ptr<KeyVaultClient> client;
    KeyVaultClient* operator->() { return client.get(); }
  };
  static Client MakeClient(const std::string& vault, KeyVaultClientOptions options = {}, VaultConfig* override = nullptr) {
    auto auth = VaultAuthenticator::Create(config_->auth);
    EXPECT_TRUE(auth.ok()) << auth.status().ToString();
    auto client = MakeKeyVaultClient(override ? *override : Vault(vault), config_->router, *auth, options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return Client{*auth, std::move(client).value()};
  }
  static std::string Version() { return testbed_->info().key_copies.front().version; }
  static const std::string& KeyName() { return testbed_->info().key_name; }

  // Every message must be free of the client secret and of bearer tokens.
  static void ExpectNoSecrets(const Status& s) {
    const std::string text = s.ToString();
    EXPECT_EQ(text.find(testbed_->ClientSecret()), std::string::npos) << text;
    EXPECT_EQ(text.find("eyJ"), std::string::npos) << "looks like a JWT in: " << text;
  }

  static testing::Testbed* testbed_;
  static VaultSetConfig* config_;
};
testing::Testbed* KeyVaultClientTest::testbed_ = nullptr;
VaultSetConfig* KeyVaultClientTest::config_ = nullptr;

TEST_F(KeyVaultClientTest, GetKeyLatestAndVersionCarryTheThumbprint) {
  auto c = MakeClient("eastus");
  auto latest = c->GetKey(KeyName(), "", Soon());
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->thumbprint, testbed_->info().thumbprint);
  EXPECT_EQ(latest->key_size_bits, 2048);
  EXPECT_EQ(latest->name, KeyName());
  auto version = c->GetKey(KeyName(), latest->version, Soon());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->kid, latest->kid);
  // japaneast holds the same material under another version id.
  auto jp = MakeClient("japaneast");
  auto jp_latest = jp->GetKey(KeyName(), "", Soon());
  ASSERT_TRUE(jp_latest.ok()) << jp_latest.status().ToString();
  EXPECT_EQ(jp_latest->thumbprint, latest->thumbprint);
  EXPECT_NE(jp_latest->version, latest->version);
}

TEST_F(KeyVaultClientTest, WrapAndUnwrapWithBothOaepVariants) {
  auto c = MakeClient("eastus");
  SecureBytes dek(32, 0x5a);
  for (WrapAlgorithm alg : {WrapAlgorithm::kRsaOaep256, WrapAlgorithm::kRsaOaep}) {
    auto wrapped = c->WrapKey(KeyName(), Version(), alg, dek, Soon());
    ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
    EXPECT_EQ(wrapped->size(), 256u);
    // Unwrapped by the other US vault, which holds the same version.
    auto west = MakeClient("westus");
    auto plain = west->UnwrapKey(KeyName(), Version(), alg, *wrapped, Soon());
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(*plain, dek);
  }
  auto refused = c->WrapKey(KeyName(), Version(), WrapAlgorithm::kRsa15, dek, Soon());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().error_class(), ErrorClass::kInvalidInput);
}

TEST_F(KeyVaultClientTest, CreateRotateListPagesUpdateBackupRestoreImport) {
  KeyVaultClientOptions small_pages;
  small_pages.page_size = 2;
  auto east = MakeClient("eastus", small_pages);
  const std::string name = "client-test-" + std::to_string(::getpid());
  KeyCreateOptions create;
  auto created = east->CreateKey(name, create, Soon());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  // 5 versions in pages of 2: the absolute nextLink is followed twice.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(east->RotateKey(name, Soon()).ok());
  const std::int64_t lists_before = Admin("eastus").RequestCount("list_versions");
  auto versions = east->ListKeyVersions(name, Soon(30));
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_EQ(versions->size(), 5u);
  EXPECT_EQ(Admin("eastus").RequestCount("list_versions") - lists_before, 3);

  KeyUpdateOptions update;
  update.attributes.enabled = false;
  auto updated = east->UpdateKey(name, created->version, update, Soon());
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->attributes.enabled, std::optional<bool>(false));

  auto blob = east->BackupKey(name, Soon());
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  auto west = MakeClient("westus");
  auto restored = west->RestoreKey(*blob, Soon());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  auto latest = east->GetKey(name, "", Soon());
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(restored->thumbprint, latest->thumbprint);
  // A second restore collides with the name: the 409 is retried (the
  // service accepts a restore made right after a purge seconds later), then
  // reported with the service's code and words.
  const std::int64_t restores_before = Admin("westus").RequestCount("restore");
  auto again = west->RestoreKey(*blob, Soon());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().http_status(), 409);
  EXPECT_EQ(again.status().vault_error_code(), "Conflict");
  EXPECT_NE(again.status().message().find("There was a conflict restoring the key"), std::string::npos)
      << again.status().ToString();
  EXPECT_GT(Admin("westus").RequestCount("restore") - restores_before, 1);
  // Backups do not cross geographies.
  auto jp = MakeClient("japaneast");
  auto cross = jp->RestoreKey(*blob, Soon());
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.status().code(), codes::kHttpClientError) << cross.status().ToString();

  // BYOK import of the escrowed TDE key gives the same thumbprint.
  std::ifstream in(testbed_->info().escrow_file);
  std::stringstream text;
  text << in.rdbuf();
  Poco::JSON::Parser parser;
  auto jwk_json = parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
  if (jwk_json->has("key")) jwk_json = jwk_json->getObject("key");
  PrivateRsaJwk jwk;
  auto field = [&](const char* k) {
    std::string v = jwk_json->getValue<std::string>(k);
    return SecureString(v.begin(), v.end());
  };
  jwk.n = field("n");
  jwk.e = field("e");
  jwk.d = field("d");
  jwk.p = field("p");
  jwk.q = field("q");
  jwk.dp = field("dp");
  jwk.dq = field("dq");
  jwk.qi = field("qi");
  auto imported = jp->ImportKey(name + "-byok", jwk, false, {}, Soon());
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->thumbprint, testbed_->info().thumbprint);
}

// A restore answered 409 once (as right after a purge) succeeds on retry.
TEST_F(KeyVaultClientTest, RestoreAnsweredConflictOnceIsRetried) {
  auto east = MakeClient("eastus");
  const std::string name = "conflict-test-" + std::to_string(::getpid());
  ASSERT_TRUE(east->CreateKey(name, KeyCreateOptions{}, Soon()).ok());
  auto blob = east->BackupKey(name, Soon());
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  auto west = MakeClient("westus");
  ASSERT_TRUE(west->GetKey(KeyName(), "", Soon()).ok());  // challenged: the restore goes with its body at once
  ASSERT_TRUE(Admin("westus").SetErrorRate(409, 1.0, {"restore"}, 1));
  const std::int64_t restores_before = Admin("westus").RequestCount("restore");
  auto restored = west->RestoreKey(*blob, Soon());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->name, name);
  EXPECT_EQ(Admin("westus").RequestCount("restore") - restores_before, 2);
  EXPECT_EQ(west->stats().retries, 1u);
}

// A recording vault (TLS on loopback) shows what travels before the token:
// the first, unauthenticated wrap has no body, so no DEK.
TEST_F(KeyVaultClientTest, TheUnauthenticatedFirstWrapCarriesNoDek) {
  const auto& info = testbed_->info();
  const std::string challenge = "Bearer authorization=\"" + info.authority + "\", resource=\"" + info.resource + "\"";
  testing::HostileServer vault(testing::kEastUsHost, [&](const testing::ReceivedRequest& r, testing::Responder& out) {
    if (r.header("Authorization").empty()) {
      out.Write(testing::HostileServer::Answer(401, "Unauthorized", R"({"error":{"code":"Unauthorized"}})",
                                               {{"WWW-Authenticate", challenge}}));
    } else {
      out.Write(testing::HostileServer::Answer(200, "OK", R"({"kid":"k","value":"AQAB"})"));
    }
  });
  VaultConfig recording = Vault("eastus");
  recording.connect_to_host = "127.0.0.1";
  recording.connect_to_port = vault.port();
  recording.ca_bundle = testing::TestPkiFiles::Shared().ca();
  auto c = MakeClient("eastus", {}, &recording);
  SecureBytes dek(32, 0x5a);
  const std::string encoded_dek = Base64UrlEncode(dek);
  auto wrapped = c->WrapKey(KeyName(), Version(), WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(*wrapped, (Bytes{1, 0, 1}));
  const auto requests = vault.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].header("Authorization"), "");
  EXPECT_EQ(requests[0].body, "");
  EXPECT_EQ(requests[0].body.find(encoded_dek), std::string::npos);
  EXPECT_EQ(requests[1].header("Authorization").rfind("Bearer ", 0), 0u);
  EXPECT_NE(requests[1].body.find(encoded_dek), std::string::npos);
  for (const auto& r : requests) EXPECT_EQ(r.header("User-Agent").rfind("geoekm/", 0), 0u);
}

TEST_F(KeyVaultClientTest, ServerErrorsAreRetriedThenReported) {
  auto c = MakeClient("eastus");
  auto admin = Admin("eastus");
  ASSERT_TRUE(admin.SetErrorRate(503, 1.0, {}, 1));  // one failure, then fine
  auto ok = c->GetKey(KeyName(), "", Soon());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_GE(c->stats().retries, 1u);

  ASSERT_TRUE(admin.SetErrorRate(500, 1.0));
  auto bad = c->GetKey(KeyName(), "", Soon());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), codes::kHttpServerError);
  EXPECT_EQ(bad.status().error_class(), ErrorClass::kTransient);
  EXPECT_EQ(bad.status().http_status(), 500);
  EXPECT_FALSE(bad.status().request_id().empty());
  EXPECT_EQ(bad.status().vault(), "eastus");
  ExpectNoSecrets(bad.status());
}

TEST_F(KeyVaultClientTest, ConnectionResetIsTransientAndRetried) {
  auto c = MakeClient("eastus");
  ASSERT_TRUE(c->GetKey(KeyName(), "", Soon()).ok());
  auto admin = Admin("eastus");
  ASSERT_TRUE(admin.SetReset(1.0, {}, 1));
  auto ok = c->GetKey(KeyName(), "", Soon());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_TRUE(admin.SetReset(1.0));
  auto bad = c->GetKey(KeyName(), "", Soon());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().error_class(), ErrorClass::kTransient);
  EXPECT_TRUE(bad.status().code() == codes::kHttpReadData || bad.status().code() == codes::kHttpSendRequest ||
              bad.status().code() == codes::kTlsFailure || bad.status().code() == codes::kHttpConnectSession)
      << bad.status().ToString();
}

TEST_F(KeyVaultClientTest, BlackholeEndsAtTheDeadlineAndLatencyIsTolerated) {
  auto c = MakeClient("eastus");
  ASSERT_TRUE(c->GetKey(KeyName(), "", Soon()).ok());
  auto admin = Admin("eastus");
  ASSERT_TRUE(admin.SetLatency(300));
  auto t0 = Clock::now();
  ASSERT_TRUE(c->GetKey(KeyName(), "", Soon()).ok());
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(290));
  ASSERT_TRUE(admin.ClearFaults());
  ASSERT_TRUE(admin.SetBlackhole(true));
  t0 = Clock::now();
  auto r = c->GetKey(KeyName(), "", Deadline::After(std::chrono::milliseconds(1500)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kDeadlineExceeded) << r.status().ToString();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(6));
}

// The router cancels a call whose race another vault won: the blocked
// read ends at once (the socket is shut down), long before the deadline,
// and says it was cancelled.
TEST_F(KeyVaultClientTest, CancelledCallToASilentVaultEndsAtOnce) {
  auto c = MakeClient("eastus");
  ASSERT_TRUE(c->GetKey(KeyName(), "", Soon()).ok());
  auto admin = Admin("eastus");
  ASSERT_TRUE(admin.SetBlackhole(true));
  auto signal = std::make_shared<CancelSignal>();
  std::thread canceller([signal] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    signal->Cancel();
  });
  const auto t0 = Clock::now();
  auto r = c->GetKey(KeyName(), "", Deadline::After(std::chrono::seconds(30)).WithCancel(signal));
  const auto took = Clock::now() - t0;
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kDeadlineExceeded) << r.status().ToString();
  EXPECT_NE(r.status().message().find("cancelled"), std::string::npos) << r.status().ToString();
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::seconds(5));  // not the 30 s deadline
  ASSERT_TRUE(admin.ClearFaults());
  EXPECT_TRUE(c->GetKey(KeyName(), "", Soon()).ok());  // the shut socket was not pooled again
}

TEST_F(KeyVaultClientTest, ThrottlingWithAndWithoutRetryAfter) {
  KeyVaultClientOptions no_retry;
  no_retry.retry_throttled = false;
  auto c = MakeClient("eastus", no_retry);
  auto admin = Admin("eastus");
  for (bool retry_after : {true, false}) {
    ASSERT_TRUE(admin.SetThrottleStorm(true, retry_after, 1));
    auto r = c->GetKey(KeyName(), "", Soon());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), codes::kHttpThrottled);
    EXPECT_EQ(r.status().error_class(), ErrorClass::kThrottled);
    EXPECT_EQ(r.status().http_status(), 429);
    ASSERT_TRUE(admin.ClearFaults());
  }
  // With retries on, a Retry-After of 1 s is honoured: the second try works.
  auto retrying = MakeClient("eastus");
  ASSERT_TRUE(retrying->GetKey(KeyName(), "", Soon()).ok());
  ASSERT_TRUE(admin.SetFaults(R"({"throttle_storm":{"retry_after":true,"retry_after_seconds":1}})"));
  std::thread clear([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Admin("eastus").ClearFaults();
  });
  auto t0 = Clock::now();
  auto r = retrying->GetKey(KeyName(), "", Soon());
  clear.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(900));  // waited for Retry-After
}

TEST_F(KeyVaultClientTest, ForbiddenKindsAreNamed) {
  auto c = MakeClient("eastus");
  SecureBytes dek(32, 1);
  auto wrapped = c->WrapKey(KeyName(), Version(), WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(wrapped.ok());
  auto admin = Admin("eastus");

  ASSERT_TRUE(admin.Revoke(testbed_->info().client_id, {"unwrapKey"}));
  auto perm = c->UnwrapKey(KeyName(), Version(), WrapAlgorithm::kRsaOaep256, *wrapped, Soon());
  ASSERT_FALSE(perm.ok());
  EXPECT_EQ(perm.status().code(), codes::kHttpForbidden);
  EXPECT_EQ(perm.status().forbidden_reason(), ForbiddenReason::kPermission);
  EXPECT_NE(perm.status().message().find("unwrapKey"), std::string::npos) << perm.status().message();
  ASSERT_TRUE(admin.Grant(testbed_->info().client_id, {"unwrapKey"}));

  ASSERT_TRUE(admin.SetFirewallDeny(true));
  auto fw = c->GetKey(KeyName(), "", Soon());
  ASSERT_FALSE(fw.ok());
  EXPECT_EQ(fw.status().forbidden_reason(), ForbiddenReason::kFirewall) << fw.status().ToString();
  ASSERT_TRUE(admin.SetFirewallDeny(false));

  const std::string name = "client-ops-" + std::to_string(::getpid());
  KeyCreateOptions wrap_only;
  wrap_only.key_ops = {"wrapKey"};
  auto created = c->CreateKey(name, wrap_only, Soon());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto w = c->WrapKey(name, created->version, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(w.ok());
  auto ops = c->UnwrapKey(name, created->version, WrapAlgorithm::kRsaOaep256, *w, Soon());
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().forbidden_reason(), ForbiddenReason::kKeyOps) << ops.status().ToString();

  // Expired: wrap refused, unwrap of old data still works (service rule).
  KeyCreateOptions both;
  auto expiring = c->CreateKey(name + "-exp", both, Soon());
  ASSERT_TRUE(expiring.ok()) << expiring.status().ToString();
  auto old = c->WrapKey(name + "-exp", expiring->version, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(admin.SetKeyAttributes(name + "-exp", expiring->version, std::nullopt, std::nullopt,
                                     std::int64_t{1000000000}));
  auto expired = c->WrapKey(name + "-exp", expiring->version, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().forbidden_reason(), ForbiddenReason::kKeyExpired) << expired.status().ToString();
  auto still = c->UnwrapKey(name + "-exp", expiring->version, WrapAlgorithm::kRsaOaep256, *old, Soon());
  ASSERT_TRUE(still.ok()) << still.status().ToString();
  EXPECT_EQ(*still, dek);

  ASSERT_TRUE(admin.SetKeyAttributes(name, created->version, false));
  auto disabled = c->WrapKey(name, created->version, WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.status().forbidden_reason(), ForbiddenReason::kKeyDisabled) << disabled.status().ToString();
  ExpectNoSecrets(disabled.status());
}

TEST_F(KeyVaultClientTest, MissingKeyAndVersionAre3076) {
  auto c = MakeClient("eastus");
  auto key = c->GetKey("no-such-key", "", Soon());
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), codes::kHttpNotFound);
  EXPECT_EQ(key.status().error_class(), ErrorClass::kNotFound);
  auto version = c->GetKey(KeyName(), "0123456789abcdef0123456789abcdef", Soon());
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), codes::kHttpNotFound);
  auto bad_name = c->GetKey("../etc", "", Soon());
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.status().error_class(), ErrorClass::kInvalidInput);
}

// A vault (or a proxy) answering 200 with garbage: the "answer" fault puts
// the body on the wire after the vault accepted the request.
static std::string AnswerFault(const std::string& body, const std::string& operation) {
  Poco::JSON::Object answer;
  answer.set("body", body);
  answer.set("operations", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
  answer.getArray("operations")->add(operation);
  answer.set("count", 1);
  Poco::JSON::Object faults;
  faults.set("answer", answer);
  std::ostringstream out;
  faults.stringify(out);
  return out.str();
}

TEST_F(KeyVaultClientTest, GarbageInAKeyAnswerIsAParserErrorNotACrash) {
  auto c = MakeClient("eastus");
  auto real = c->GetKey(KeyName(), "", Soon());
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  const std::string key =
      R"({"kid":")" + real->kid + R"(","kty":"RSA","n":")" + real->n + R"(","e":")" + real->e + "\"";
  struct Case {
    std::string body;
    std::string named;  // what the message must name
  } cases[] = {
      {R"({"key":)" + key + R"(,"key_ops":[null]}})", "key.key_ops[0] is not a string"},
      {R"({"key":)" + key + R"(},"tags":{"a":null}})", "tags has a member that is not a string"},
      {R"({"key":)" + key + R"(},"attributes":{"exp":"tomorrow"}})", "attributes.exp is not a whole number"},
      {R"({"key":{"kid":42}})", "key.kid is not a string"},
      {R"({"key":"RSA"})", "key is not an object"},
  };
  auto admin = Admin("eastus");
  for (const Case& k : cases) {
    ASSERT_TRUE(admin.SetFaults(AnswerFault(k.body, "get"))) << admin.last_response().body;
    auto bundle = c->GetKey(KeyName(), "", Soon());
    ASSERT_FALSE(bundle.ok()) << k.body;
    EXPECT_EQ(bundle.status().code(), codes::kGetKeyJsonParser) << bundle.status().ToString();
    // The vault answered garbage: another vault (or a later try) may do better.
    EXPECT_EQ(bundle.status().error_class(), ErrorClass::kTransient);
    EXPECT_EQ(bundle.status().vault(), "eastus");
    EXPECT_NE(bundle.status().message().find(k.named), std::string::npos) << bundle.status().message();
  }
  ASSERT_TRUE(admin.SetFaults(AnswerFault(R"({"value":[{"kid":null}]})", "list_versions")));
  auto versions = c->ListKeyVersions(KeyName(), Soon());
  ASSERT_FALSE(versions.ok());
  EXPECT_EQ(versions.status().code(), codes::kGetKeyJsonParser) << versions.status().ToString();
  // The fault was used up: the same client reads the key again.
  auto again = c->GetKey(KeyName(), "", Soon());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->thumbprint, testbed_->info().thumbprint);
}

TEST_F(KeyVaultClientTest, AnEcKeyIsNotSupportedRatherThanTransient) {
  auto c = MakeClient("eastus");
  const std::string kid = "https://" + Vault("eastus").host + "/keys/" + KeyName() + "/" + Version();
  // An EC key as Key Vault sends it: no n or e.
  const std::string ec = R"({"key":{"kid":")" + kid +
                         R"(","kty":"EC","key_ops":["sign","verify"],"crv":"P-256",)"
                         R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},)"
                         R"("attributes":{"enabled":true,"created":1493942451,"updated":1493942451}})";
  ASSERT_TRUE(Admin("eastus").SetFaults(AnswerFault(ec, "get")));
  auto bundle = c->GetKey(KeyName(), Version(), Soon());
  ASSERT_FALSE(bundle.ok());
  EXPECT_EQ(bundle.status().code(), codes::kNotSupported) << bundle.status().ToString();
  EXPECT_EQ(bundle.status().error_class(), ErrorClass::kIntegrity);
  EXPECT_EQ(bundle.status().vault(), "eastus");
  EXPECT_NE(bundle.status().message().find("key type EC is not supported; RSA or RSA-HSM needed"), std::string::npos)
      << bundle.status().message();
}

TEST_F(KeyVaultClientTest, LongKeyNamesStayReadableInTheVaultsMessage) {
  auto c = MakeClient("eastus");
  for (std::size_t length : {40u, 64u, 127u}) {
    std::string name = "missing-key-";
    while (name.size() < length) name += static_cast<char>('a' + name.size() % 26);
    auto key = c->GetKey(name, "", Soon());
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), codes::kHttpNotFound) << key.status().ToString();
    // vaultsim says, as Key Vault does: "A key with (name/id) <name> was not found ..."
    EXPECT_NE(key.status().message().find("(name/id) " + name + " was not found"), std::string::npos)
        << key.status().message();
    ExpectNoSecrets(key.status());
  }
}

TEST_F(KeyVaultClientTest, UnknownHostAndWrongCa) {
  VaultConfig unknown = Vault("eastus");
  unknown.host = "geoekm-gone.vault.test";
  unknown.connect_to_host.clear();
  unknown.connect_to_port = 0;
  auto c1 = MakeClient("", {}, &unknown);
  auto r1 = c1->GetKey(KeyName(), "", Soon());
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().code(), codes::kVaultNameNotResolved) << r1.status().ToString();

  VaultConfig wrong_ca = Vault("eastus");
  wrong_ca.ca_bundle.clear();  // system store: does not know the testbed CA
  auto c2 = MakeClient("", {}, &wrong_ca);
  auto r2 = c2->GetKey(KeyName(), "", Soon());
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), codes::kTlsFailure) << r2.status().ToString();
}

TEST_F(KeyVaultClientTest, WrongSecretIs3303WithoutTheSecret) {
  VaultSetConfig bad = *config_;
  bad.auth.client_secret_file.clear();
  bad.auth.client_secret = SecureString("definitely-not-the-secret-value");
  auto auth = VaultAuthenticator::Create(bad.auth);
  ASSERT_TRUE(auth.ok());
  auto c = MakeKeyVaultClient(Vault("eastus"), bad.router, *auth);
  ASSERT_TRUE(c.ok());
  auto r = (*c)->GetKey(KeyName(), "", Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), codes::kTokenBadCredentials) << r.status().ToString();
  EXPECT_EQ(r.status().ToString().find("definitely-not-the-secret-value"), std::string::npos);
}

// 32 threads x 1000 unwraps on one client: no failures, one token fetch,
// connections kept alive (counted by the vault).
TEST_F(KeyVaultClientTest, ManyThreadsShareTokenAndConnections) {
  auto c = MakeClient("westus");
  SecureBytes dek(32, 7);
  auto wrapped = c->WrapKey(KeyName(), Version(), WrapAlgorithm::kRsaOaep256, dek, Soon());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  auto admin = Admin("westus");
  const std::int64_t connections_before = admin.ConnectionsAccepted();
  constexpr int kThreads = 32;
  constexpr int kPerThread = 1000;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto plain = c->UnwrapKey(KeyName(), Version(), WrapAlgorithm::kRsaOaep256, *wrapped, Soon(60));
        if (!plain.ok() || *plain != dek) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(c.auth->stats().token_fetches, 1u);
  const std::int64_t opened = admin.ConnectionsAccepted() - connections_before;
  EXPECT_LE(opened, kThreads + 8) << "connections were not reused";
  EXPECT_LE(c->transport_stats().connections_opened, static_cast<std::uint64_t>(kThreads + 4));
  RecordProperty("connections_opened", static_cast<int>(c->transport_stats().connections_opened));
}

}  // namespace
}  // namespace geoekm
