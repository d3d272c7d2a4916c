// Unit tests of vaultsim's pure parts: api-version acceptance, routing,
// backup blob sealing, throttling arithmetic, fault decisions, RSA ops.
#include <gtest/gtest.h>

#include "vaultsim/answer_tamper.h"
#include "vaultsim/api_version.h"
#include "vaultsim/backup_blob.h"
#include "vaultsim/fault_injector.h"
#include "vaultsim/keys_route.h"
#include "vaultsim/rsa_key.h"
#include "vaultsim/throttler.h"
#include "vaultsim/vault_config.h"

namespace geoekm::vaultsim {
namespace {

TEST(ApiVersion, AcceptsSevenThreeAndNewer) {
  for (const char* v : {"7.3", "7.4", "7.5", "7.6", "7.6-preview.2", "7.10", "8.0", "2025-07-01", "2026-04-01-preview"}) {
    EXPECT_TRUE(IsSupportedApiVersion(v)) << v;
  }
  for (const char* v : {"", "7.2", "7.0", "2016-10-01", "7", "7.x", "latest", "7.4 ", "2024-01-01"}) {
    EXPECT_FALSE(IsSupportedApiVersion(v)) << v;
  }
}

TEST(KeysRoute, MapsEveryOperationCaseInsensitively) {
  struct Case {
    const char* method;
    const char* path;
    KeyOperation op;
    const char* name;
    const char* version;
  } cases[] = {
      {"POST", "/keys/K1/create", KeyOperation::kCreate, "K1", ""},
      {"PUT", "/keys/k1", KeyOperation::kImport, "k1", ""},
      {"GET", "/keys/k1", KeyOperation::kGet, "k1", ""},
      {"GET", "/keys/k1/", KeyOperation::kGet, "k1", ""},
      {"GET", "/keys/k1/abc", KeyOperation::kGet, "k1", "abc"},
      {"GET", "/KEYS", KeyOperation::kList, "", ""},
      {"GET", "/keys/k1/Versions", KeyOperation::kListVersions, "k1", ""},
      {"PATCH", "/keys/k1/abc", KeyOperation::kUpdate, "k1", "abc"},
      {"PATCH", "/keys/k1/", KeyOperation::kUpdate, "k1", ""},
      {"POST", "/keys/k1/rotate", KeyOperation::kRotate, "k1", ""},
      {"POST", "/keys/k1/backup", KeyOperation::kBackup, "k1", ""},
      {"POST", "/keys/restore", KeyOperation::kRestore, "", ""},
      {"DELETE", "/keys/k1", KeyOperation::kDelete, "k1", ""},
      {"GET", "/deletedkeys", KeyOperation::kListDeleted, "", ""},
      {"GET", "/deletedKeys/k1", KeyOperation::kGetDeleted, "k1", ""},
      {"POST", "/deletedkeys/k1/recover", KeyOperation::kRecover, "k1", ""},
      {"DELETE", "/deletedkeys/k1", KeyOperation::kPurge, "k1", ""},
      {"POST", "/keys/k1/v1/wrapkey", KeyOperation::kWrapKey, "k1", "v1"},
      {"POST", "/keys/k1/v1/wrapKey", KeyOperation::kWrapKey, "k1", "v1"},
      {"POST", "/keys/k1/v1/unwrapkey", KeyOperation::kUnwrapKey, "k1", "v1"},
      {"POST", "/keys/k1/v1/encrypt", KeyOperation::kEncrypt, "k1", "v1"},
      {"POST", "/keys/k1/v1/decrypt", KeyOperation::kDecrypt, "k1", "v1"},
      {"POST", "/keys/k1//wrapkey", KeyOperation::kWrapKey, "k1", ""},
      {"POST", "/keys/k1/v1/sign", KeyOperation::kUnknown, "", ""},
      {"GET", "/secrets/s", KeyOperation::kUnknown, "", ""},
  };
  for (const Case& c : cases) {
    KeysRoute r = ParseKeysRoute(c.method, c.path);
    EXPECT_EQ(r.op, c.op) << c.method << " " << c.path;
    EXPECT_EQ(r.name, c.name) << c.path;
    EXPECT_EQ(r.version, c.version) << c.path;
  }
  EXPECT_EQ(RequiredPermission(KeyOperation::kWrapKey), "wrapKey");
  EXPECT_EQ(RequiredKeyOp(KeyOperation::kUnwrapKey), "unwrapKey");
  EXPECT_EQ(OperationName(KeyOperation::kListVersions), "list_versions");
}

TEST(BackupBlob, RoundTripsOnlyWithTheSameGeographyAndSecret) {
  SecureBytes plain = ToSecureBytes("{\"name\":\"k\",\"secret-material\":\"PRIVATE\"}");
  Bytes blob = SealBackupBlob("us", "secret-us-0123456789", plain);
  ASSERT_FALSE(blob.empty());
  EXPECT_EQ(std::string(blob.begin(), blob.end()).find("PRIVATE"), std::string::npos);
  EXPECT_EQ(blob[0], 31);  // length of the marker that follows

  OpenedBackup ok = OpenBackupBlob(blob, "us", "secret-us-0123456789");
  ASSERT_TRUE(ok.ok);
  EXPECT_EQ(std::string(ok.plaintext.begin(), ok.plaintext.end()), std::string(plain.begin(), plain.end()));

  OpenedBackup other_geo = OpenBackupBlob(blob, "europe", "secret-eu-0123456789");
  EXPECT_FALSE(other_geo.ok);
  EXPECT_EQ(other_geo.error, BackupOpenError::kOtherGeography);
  EXPECT_EQ(other_geo.blob_geography, "us");

  OpenedBackup wrong_secret = OpenBackupBlob(blob, "us", "another-secret-0123456789");
  EXPECT_FALSE(wrong_secret.ok);
  EXPECT_EQ(wrong_secret.error, BackupOpenError::kMalformed);

  Bytes tampered = blob;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_FALSE(OpenBackupBlob(tampered, "us", "secret-us-0123456789").ok);

  Bytes relabelled = blob;  // geography is authenticated: relabelling breaks the tag
  EXPECT_FALSE(OpenBackupBlob(Bytes(relabelled.begin(), relabelled.begin() + 10), "us", "secret-us-0123456789").ok);
  EXPECT_FALSE(OpenBackupBlob(Bytes{1, 2, 3}, "us", "secret-us-0123456789").ok);
  EXPECT_FALSE(OpenBackupBlob(Bytes{}, "us", "secret-us-0123456789").ok);
}

TEST(Throttler, WeightsOperationsByKeyClassAndIgnoresRejections) {
  ThrottlingConfig c;
  c.enabled = true;
  c.window_seconds = 60;
  c.limit_scale = 0.01;  // RSA-2048 software: 40 per window, RSA-4096 HSM: 2 (250*0.01=2.5 -> 2)
  Throttler t(c);
  KeyClass hsm4096{true, 4096};
  EXPECT_FALSE(t.Admit(KeyOperation::kWrapKey, hsm4096));
  EXPECT_FALSE(t.Admit(KeyOperation::kWrapKey, hsm4096));
  std::optional<int> wait = t.Admit(KeyOperation::kWrapKey, hsm4096);
  ASSERT_TRUE(wait);
  EXPECT_GE(*wait, 1);
  EXPECT_LE(*wait, 60);
  // The budget is shared: a cheap op no longer fits either.
  EXPECT_TRUE(t.Admit(KeyOperation::kGet, KeyClass{false, 2048}));
  // Creates have their own budget (20 software * 0.01 -> at least 1).
  EXPECT_FALSE(t.Admit(KeyOperation::kCreate, KeyClass{false, 2048}));
  EXPECT_TRUE(t.Admit(KeyOperation::kCreate, KeyClass{false, 2048}));

  ThrottlingConfig c2 = c;
  Throttler fresh(c2);
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += fresh.Admit(KeyOperation::kGet, KeyClass{false, 2048}) ? 0 : 1;
  EXPECT_EQ(admitted, 40);

  ThrottlingConfig off;
  Throttler disabled(off);
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(disabled.Admit(KeyOperation::kCreate, KeyClass{true, 4096}));
}

TEST(FaultInjector, CountsRatesAndOperations) {
  FaultInjector f(false);
  ASSERT_TRUE(f.Merge(R"({"error":{"status":503,"rate":1,"count":2,"operations":["wrapkey"]}})").ok());
  EXPECT_FALSE(f.Decide("unwrapkey").error_status);
  EXPECT_EQ(f.Decide("wrapkey").error_status.value_or(0), 503);
  EXPECT_EQ(f.Decide("wrapkey").error_status.value_or(0), 503);
  EXPECT_FALSE(f.Decide("wrapkey").error_status);  // count exhausted

  ASSERT_TRUE(f.Merge(R"({"error":{"status":500,"rate":0.3}})").ok());
  int hits = 0;
  for (int i = 0; i < 2000; ++i) hits += f.Decide("get").error_status ? 1 : 0;
  EXPECT_GT(hits, 450);
  EXPECT_LT(hits, 750);

  EXPECT_FALSE(f.Merge(R"({"error":{"status":200}})").ok());
  EXPECT_FALSE(f.Merge("not json").ok());
  ASSERT_TRUE(f.Merge(R"({"latency":{"fixed_ms":5,"jitter_ms":5},"throttle_storm":{"retry_after":false},"blackhole":true})").ok());
  FaultDecision d = f.Decide("get");
  EXPECT_GE(d.latency_ms, 5);
  EXPECT_LE(d.latency_ms, 10);
  EXPECT_TRUE(d.throttle_storm);
  EXPECT_FALSE(d.storm_retry_after);
  EXPECT_TRUE(d.blackhole);
  f.Clear();
  d = f.Decide("get");
  EXPECT_EQ(d.latency_ms, 0);
  EXPECT_FALSE(d.throttle_storm || d.blackhole || d.reset || d.error_status);
}

TEST(FaultInjector, TamperAltersOnlySuccessfulAnswersOfTargetedOperations) {
  FaultInjector f(false);
  EXPECT_FALSE(f.Merge(R"({"tamper":{}})").ok());
  EXPECT_FALSE(f.Merge(R"({"tamper":{"value_bytes":-1}})").ok());
  ASSERT_TRUE(f.Merge(R"({"tamper":{"value_bytes":3,"kid":"https://evil.example/keys/k/1","operations":["wrapkey"],"count":1}})").ok());
  EXPECT_FALSE(f.Decide("unwrapkey").tamper);
  FaultDecision d = f.Decide("wrapkey");
  ASSERT_TRUE(d.tamper);
  EXPECT_FALSE(f.Decide("wrapkey").tamper);  // count exhausted

  ApiResponse answer;
  answer.body = R"({"kid":"https://a.vault.test/keys/k/1","value":")" + std::string(342, 'A') + R"("})";
  TamperAnswer(*d.tamper, &answer);
  EXPECT_EQ(answer.body, R"({"kid":"https://evil.example/keys/k/1","value":"AAAA"})");
  ApiResponse failed = ErrorResponse(503, "ServiceUnavailable", "Injected fault.");
  const std::string before = failed.body;
  TamperAnswer(*d.tamper, &failed);
  EXPECT_EQ(failed.body, before);
}

TEST(RsaKey, AlgorithmsRoundTripAndRejectBadInput) {
  auto key = RsaKey::Generate(2048);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->bits(), 2048);
  EXPECT_EQ((*key)->public_exponent(), (Bytes{1, 0, 1}));
  SecureBytes dek(32, 0x5a);
  for (RsaAlgorithm alg : {RsaAlgorithm::kRsaOaep, RsaAlgorithm::kRsaOaep256, RsaAlgorithm::kRsa15}) {
    auto ct = (*key)->Encrypt(alg, dek);
    ASSERT_TRUE(ct.ok());
    EXPECT_EQ(ct->size(), 256u);
    auto pt = (*key)->Decrypt(alg, *ct);
    ASSERT_TRUE(pt.ok());
    EXPECT_EQ(*pt, dek);
  }
  auto oaep = (*key)->Encrypt(RsaAlgorithm::kRsaOaep256, dek);
  EXPECT_FALSE((*key)->Decrypt(RsaAlgorithm::kRsaOaep, *oaep).ok());  // wrong digest
  EXPECT_FALSE((*key)->Encrypt(RsaAlgorithm::kRsaOaep256, SecureBytes(300, 1)).ok());
  EXPECT_EQ(ParseRsaAlgorithm("RSA-OAEP-256"), RsaAlgorithm::kRsaOaep256);
  EXPECT_FALSE(ParseRsaAlgorithm("rsa-oaep"));
  EXPECT_FALSE(ParseRsaAlgorithm("A256KW"));

  SecureString pem = (*key)->PrivatePem();
  auto again = RsaKey::FromPrivatePem(std::string(pem.begin(), pem.end()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->modulus(), (*key)->modulus());
}

TEST(VaultConfig, RejectsMissingFieldsAndUnknownPermissions) {
  const std::string good = R"({"name":"v","region":"r","geography":"us","host":"h","resource":"https://vault.test",
    "tenant":"t","authority":"https://login/","token_signing_cert":"c","tls_cert":"c","tls_key":"k","data_dir":"d",
    "admin":{"token":"x"},"backup_secrets":{"us":"0123456789abcdef"},
    "access_policies":{"c1":["all"],"c2":["WRAPKEY","get"]},"throttling":{"enabled":true,"limit_scale":0.5}})";
  auto c = ParseVaultConfig(good);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->authority, "https://login");
  EXPECT_EQ(c->access_policies.at("c1").size(), 15u);
  EXPECT_EQ(c->access_policies.at("c2"), (std::set<std::string>{"get", "wrapKey"}));
  EXPECT_TRUE(c->throttling.enabled);
  EXPECT_DOUBLE_EQ(c->throttling.limit_scale, 0.5);

  auto bad_perm = ParseVaultConfig(std::string(good).replace(good.find("\"get\""), 5, "\"fly\""));
  ASSERT_FALSE(bad_perm.ok());
  EXPECT_NE(bad_perm.status().message().find("fly"), std::string::npos);
  auto no_secret = ParseVaultConfig(std::string(good).replace(good.find("\"us\":"), 5, "\"eu\":"));
  EXPECT_FALSE(no_secret.ok());
  EXPECT_FALSE(ParseVaultConfig("{}").ok());
  EXPECT_FALSE(ParseVaultConfig("[").ok());
}

}  // namespace
}  // namespace geoekm::vaultsim
