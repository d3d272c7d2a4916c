// libgeoekm-ekm.so through its exported C functions only, against a real
// vaultsim testbed over TLS (docs/ARCHITECTURE.md §EKM ABI): provider info
// and algorithms, credentials, key lookup by name / thumbprint / key id,
// encrypt and decrypt with the engine's buffer protocol (the retry after
// InsufficientBuffer makes no second vault call), every bad call the
// engine could make, calls after SqlCryptFreeProvider, a bad
// configuration, and 32 threads × 1000 calls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <set>
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "tests/provider/ekm/engine_buffers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/testbed_suite.h"
#include "tests/support/vaultsim_admin_client.h"
#include "vaultsim/file_text.h"

namespace geoekm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::DataOf;
using testing::EngineKeyInfo;
using testing::EngineString;
using testing::RawThumbprintOf;

std::vector<std::uint8_t> Dek(int i) {
  std::vector<std::uint8_t> dek(32);
  EXPECT_EQ(RAND_bytes(dek.data(), static_cast<int>(dek.size())), 1);
  dek[0] = static_cast<std::uint8_t>(i);
  return dek;
}

// Each thread of this process: its id and blocked-signal mask (/proc).
std::map<std::string, unsigned long long> BlockedSignalsByThread() {
  std::map<std::string, unsigned long long> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("SigBlk:", 0) == 0) out[task.path().filename()] = std::stoull(line.substr(7), nullptr, 16);
    }
  }
  return out;
}

constexpr unsigned long long kSigpipeBit = 1ull << (SIGPIPE - 1);

class EkmLibrary : public testing::TestbedSuite {
 protected:
  void SetUp() override {
    TestbedSuite::SetUp();
    UseConfig(info().geoekm_ini);
    ASSERT_EQ(SqlCryptInitializeProvider(), scp_err_Success);
    thumb_ = RawThumbprintOf(info().thumbprint);
    ASSERT_EQ(thumb_.size(), 32u);
  }
  void TearDown() override { SqlCryptFreeProvider(); }

  static void UseConfig(const std::string& path) { ::setenv("GEOEKM_CONFIG", path.c_str(), 1); }

  SqlCpError Open(const std::string& name, const std::string& password, SqlCpSession* session) {
    EngineString n(name), p(password);
    SqlCpCredential cred{n.str(), p.str()};
    return SqlCryptOpenSession(&cred, session);
  }
  SqlCpSession OpenOk() {
    SqlCpSession s = nullptr;
    EXPECT_EQ(Open(SetName(), "", &s), scp_err_Success);
    return s;
  }
  // The set name the testbed's configuration gives (`set_name = ...`).
  static std::string SetName() {
    std::istringstream in(vaultsim::ReadFileText(info().geoekm_ini).value_or(""));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("set_name", 0) != 0) continue;
      std::string value = line.substr(line.find('=') + 1);
      value.erase(0, value.find_first_not_of(' '));
      return value.substr(0, value.find_first_of(" ;#"));
    }
    return "";
  }
  // The testbed's geoekm.ini with `from` replaced by `to`, written to `dir`.
  static std::string ConfigVariant(const testing::TempDir& dir, const std::string& from, const std::string& to) {
    std::string ini = vaultsim::ReadFileText(info().geoekm_ini).value_or("");
    const std::size_t at = ini.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) ini.replace(at, from.size(), to);
    std::ofstream(dir.File("geoekm.ini")) << ini;
    return dir.File("geoekm.ini");
  }
  // Reloads the provider with the configuration at `path`.
  static SqlCpError Reload(const std::string& path) {
    SqlCryptFreeProvider();
    UseConfig(path);
    return SqlCryptInitializeProvider();
  }
  std::string CredentialString() const { return info().client_id + testbed().ClientSecret(); }

  // Encrypt through the engine's two-call protocol.
  std::vector<std::uint8_t> Encrypt(SqlCpSession s, std::vector<std::uint8_t> thumb, std::vector<std::uint8_t> dek) {
    SqlCpData t = DataOf(thumb), plain = DataOf(dek), cipher{0, nullptr};
    EXPECT_EQ(SqlCryptEncrypt(&s, &t, 1, nullptr, 0, &plain, &cipher), scp_err_InsufficientBuffer);
    std::vector<std::uint8_t> out(cipher.cb);
    cipher.pb = out.data();
    EXPECT_EQ(SqlCryptEncrypt(&s, &t, 1, nullptr, 0, &plain, &cipher), scp_err_Success);
    out.resize(cipher.cb);
    return out;
  }
  SqlCpError Decrypt(SqlCpSession s, std::vector<std::uint8_t> thumb, std::vector<std::uint8_t> wrapped,
                     std::vector<std::uint8_t>* dek) {
    SqlCpData t = DataOf(thumb), cipher = DataOf(wrapped);
    dek->assign(64, 0);
    SqlCpData plain = DataOf(*dek);
    SqlCpError rc = SqlCryptDecrypt(&s, &t, 1, nullptr, 0, &cipher, &plain);
    dek->resize(rc == scp_err_Success ? plain.cb : 0);
    return rc;
  }

  testing::VaultSimAdminClient Admin(const std::string& vault) {
    return testbed().Admin(vault);
  }
  std::int64_t Unwraps() {
    std::int64_t n = 0;
    for (const char* v : {"eastus", "westus", "japaneast"}) n += Admin(v).RequestCount("unwrapkey");
    return n;
  }

  std::vector<std::uint8_t> thumb_;
};


TEST(EkmSymbols, ExactlyTheSeventeenFunctionsAreExported) {
  std::string out;
  FILE* nm = ::popen("nm -D --defined-only " GEOEKM_EKM_LIBRARY, "r");
  ASSERT_NE(nm, nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, nm) != nullptr) out += buf;
  ASSERT_EQ(::pclose(nm), 0) << out;
  std::set<std::string> names;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string addr, type, name;
    fields >> addr >> type >> name;
    if (name.empty()) name = type;  // an absolute symbol without address
    names.insert(name);
  }
  const std::set<std::string> expected = {
      "SqlCryptInitializeProvider", "SqlCryptFreeProvider",     "SqlCryptOpenSession",
      "SqlCryptCloseSession",       "SqlCryptGetProviderInfo",  "SqlCryptGetNextAlgorithmId",
      "SqlCryptGetAlgorithmInfo",   "SqlCryptCreateKey",        "SqlCryptDropKey",
      "SqlCryptGetNextKeyId",       "SqlCryptGetKeyInfoByKeyId", "SqlCryptGetKeyInfoByThumb",
      "SqlCryptGetKeyInfoByName",   "SqlCryptExportKey",        "SqlCryptImportKey",
      "SqlCryptEncrypt",            "SqlCryptDecrypt"};
  EXPECT_EQ(names, expected) << out;
}

TEST_F(EkmLibrary, ProviderInfoAndAlgorithms) {
  SqlCpProviderInfo pi{};
  EXPECT_EQ(SqlCryptGetProviderInfo(&pi), scp_err_InsufficientBuffer);
  EXPECT_EQ(pi.name.cb, 12u);  // "geoekm" in UTF-16
  std::vector<char16_t> name(pi.name.cb / 2);
  pi.name.ws = name.data();
  ASSERT_EQ(SqlCryptGetProviderInfo(&pi), scp_err_Success);
  EXPECT_EQ(std::u16string(name.begin(), name.end()), u"geoekm");
  EXPECT_EQ(pi.name.ws, name.data());
  EXPECT_EQ(pi.scpVersion.major, 1);
  EXPECT_EQ(pi.scpVersion.minor, 1);
  EXPECT_EQ(pi.authType, scp_auth_Basic);
  EXPECT_EQ(pi.symmKeySupport, 0u);
  EXPECT_EQ(pi.asymmKeySupport & scp_kf_Supported, static_cast<SqlCpUlong>(scp_kf_Supported));
  EXPECT_EQ(pi.cbKeyThumbLen, 32u);
  EXPECT_EQ(pi.fAcceptsKeyName, 1);
  EXPECT_NE(pi.guid.Data1, 0u);

  std::vector<std::pair<std::u16string, SqlCpUlong>> algs;
  SqlCpAlgId id = 0;
  SqlCpError rc;
  while ((rc = SqlCryptGetNextAlgorithmId(&id)) == scp_err_Success) {
    EXPECT_NE(id, 0u);
    SqlCpAlgorithmInfo ai{};
    ASSERT_EQ(SqlCryptGetAlgorithmInfo(id, &ai), scp_err_InsufficientBuffer);
    std::vector<char16_t> tag(ai.algTag.cb / 2);
    ai.algTag.ws = tag.data();
    ASSERT_EQ(SqlCryptGetAlgorithmInfo(id, &ai), scp_err_Success);
    EXPECT_EQ(ai.algId, id);
    algs.emplace_back(std::u16string(tag.begin(), tag.end()), ai.bitLen);
    ASSERT_LT(algs.size(), 10u);
  }
  EXPECT_EQ(rc, scp_err_NotFound);
  EXPECT_EQ(algs, (std::vector<std::pair<std::u16string, SqlCpUlong>>{
                      {u"RSA_2048", 2048}, {u"RSA_3072", 3072}, {u"RSA_4096", 4096}}));
  SqlCpAlgorithmInfo ai{};
  EXPECT_EQ(SqlCryptGetAlgorithmInfo(99, &ai), scp_err_NotFound);
}

TEST_F(EkmLibrary, CredentialsNameTheSetAndCarryTheConfiguredSecret) {
  SqlCpSession s = nullptr;
  EXPECT_EQ(Open(SetName(), "", &s), scp_err_Success);
  EXPECT_NE(s, nullptr);
  EXPECT_EQ(SqlCryptCloseSession(&s, 0), scp_err_Success);
  EXPECT_EQ(Open(SetName(), CredentialString(), &s), scp_err_Success);
  EXPECT_EQ(SqlCryptCloseSession(&s, 0), scp_err_Success);

  SqlCpSession bad = nullptr;
  EXPECT_EQ(Open("geoekm-other", "", &bad), scp_err_AuthFailure);
  EXPECT_EQ(Open(SetName(), CredentialString() + "x", &bad), scp_err_AuthFailure);
  EXPECT_EQ(Open(SetName(), "0123456789abcdef0123456789abcdef" + testbed().ClientSecret(), &bad),
            scp_err_AuthFailure);
  EXPECT_EQ(Open(SetName(), "short", &bad), scp_err_AuthFailure);  // 2050 in the log
  EXPECT_EQ(bad, nullptr);
}

TEST_F(EkmLibrary, KeyByNameEncryptDecryptWithTheEngineBufferProtocol) {
  SqlCpSession s = OpenOk();
  EngineString name(info().key_name);
  SqlCpStr n = name.str();
  SqlCpKeyInfo empty{};
  ASSERT_EQ(SqlCryptGetKeyInfoByName(&s, &n, &empty), scp_err_InsufficientBuffer);
  EXPECT_EQ(empty.name.cb, info().key_name.size() * 2);
  EXPECT_EQ(empty.thumb.cb, 32u);
  EngineKeyInfo ki;
  const SqlCpByte* engine_thumb = ki.info.thumb.pb;
  ASSERT_EQ(SqlCryptGetKeyInfoByName(&s, &n, &ki.info), scp_err_Success);
  EXPECT_EQ(ki.info.thumb.pb, engine_thumb);
  EXPECT_EQ(ki.Thumb(), thumb_);
  EXPECT_EQ(ki.Name(), info().key_name);
  EXPECT_EQ(ki.info.algId, static_cast<SqlCpAlgId>(GEOEKM_ALG_RSA_2048));

  // Pinned: name/<version id> of the eastus copy names the same version.
  EngineString pinned(info().key_name + "/" + info().key_copies.front().version);
  SqlCpStr p = pinned.str();
  EngineKeyInfo pki;
  ASSERT_EQ(SqlCryptGetKeyInfoByName(&s, &p, &pki.info), scp_err_Success);
  EXPECT_EQ(pki.Thumb(), thumb_);

  std::vector<std::uint8_t> dek = Dek(1);
  {  // The ciphertext size is the modulus: asked without a vault call.
    SqlCpData t0 = DataOf(thumb_), p0 = DataOf(dek), c0{0, nullptr};
    const std::int64_t wraps = Admin("eastus").RequestCount("wrapkey") + Admin("westus").RequestCount("wrapkey");
    ASSERT_EQ(SqlCryptEncrypt(&s, &t0, 1, nullptr, 0, &p0, &c0), scp_err_InsufficientBuffer);
    EXPECT_EQ(c0.cb, 256u);
    EXPECT_EQ(Admin("eastus").RequestCount("wrapkey") + Admin("westus").RequestCount("wrapkey"), wraps);
  }
  std::vector<std::uint8_t> wrapped = Encrypt(s, thumb_, dek);
  ASSERT_EQ(wrapped.size(), 256u);

  // Decrypt: {0, NULL} first, then the retry is answered without a vault call.
  SqlCpData t = DataOf(thumb_), cipher = DataOf(wrapped), plain{0, nullptr};
  const std::int64_t before = Unwraps();
  ASSERT_EQ(SqlCryptDecrypt(&s, &t, 1, nullptr, 0, &cipher, &plain), scp_err_InsufficientBuffer);
  EXPECT_EQ(plain.cb, 32u);
  std::vector<std::uint8_t> out(plain.cb);
  plain.pb = out.data();
  ASSERT_EQ(SqlCryptDecrypt(&s, &t, 1, nullptr, 0, &cipher, &plain), scp_err_Success);
  EXPECT_EQ(out, dek);
  EXPECT_EQ(Unwraps() - before, 1);

  // A short buffer (not only NULL) gets the exact size too.
  std::vector<std::uint8_t> small(8);
  SqlCpData short_plain = DataOf(small);
  ASSERT_EQ(SqlCryptDecrypt(&s, &t, 1, nullptr, 0, &cipher, &short_plain), scp_err_InsufficientBuffer);
  EXPECT_EQ(short_plain.cb, 32u);
  EXPECT_EQ(short_plain.pb, small.data());

  // By thumbprint.
  EngineKeyInfo bt;
  SqlCpData tt = DataOf(thumb_);
  ASSERT_EQ(SqlCryptGetKeyInfoByThumb(&s, &tt, &bt.info), scp_err_Success);
  EXPECT_EQ(bt.Name(), info().key_name);

  // A tampered ciphertext never yields the DEK.
  std::vector<std::uint8_t> tampered = wrapped;
  tampered[100] ^= 0x01;
  std::vector<std::uint8_t> got;
  EXPECT_NE(Decrypt(s, thumb_, tampered, &got), scp_err_Success);
  EXPECT_NE(got, dek);
  EXPECT_EQ(SqlCryptCloseSession(&s, 0), scp_err_Success);
}

TEST_F(EkmLibrary, KeyIdsEnumerateKnownVersionsStably) {
  SqlCpSession s = OpenOk();
  Encrypt(s, thumb_, Dek(2));  // records the version in the history
  std::vector<SqlCpKeyId> ids;
  SqlCpKeyId id = 0;
  SqlCpError rc;
  while ((rc = SqlCryptGetNextKeyId(&s, &id)) == scp_err_Success) {
    EXPECT_NE(id, 0u);
    if (!ids.empty()) {
      EXPECT_GT(id, ids.back());
    }
    ids.push_back(id);
    ASSERT_LT(ids.size(), 100u);
  }
  EXPECT_EQ(rc, scp_err_NotFound);
  ASSERT_EQ(ids.size(), 1u);
  EngineKeyInfo ki;
  ASSERT_EQ(SqlCryptGetKeyInfoByKeyId(&s, ids[0], &ki.info), scp_err_Success);
  EXPECT_EQ(ki.Thumb(), thumb_);
  // Stable: the id is derived from the thumbprint.
  SqlCryptCloseSession(&s, 0);
  SqlCryptFreeProvider();
  ASSERT_EQ(SqlCryptInitializeProvider(), scp_err_Success);
  s = OpenOk();
  SqlCpKeyId again = 0;
  ASSERT_EQ(SqlCryptGetNextKeyId(&s, &again), scp_err_Success);
  EXPECT_EQ(again, ids[0]);
  EngineKeyInfo none;
  EXPECT_EQ(SqlCryptGetKeyInfoByKeyId(&s, ids[0] ^ 0x80000000u, &none.info), scp_err_NotFound);
  SqlCryptCloseSession(&s, 0);
}

TEST_F(EkmLibrary, BadCallsGetTheRightCodeAndNeverCrash) {
  SqlCpSession s = OpenOk();
  SqlCpSession forged = reinterpret_cast<SqlCpSession>(static_cast<std::uintptr_t>(0xdead));
  EngineString name(info().key_name);
  SqlCpStr n = name.str();
  EngineKeyInfo ki;
  SqlCpData t = DataOf(thumb_);
  std::vector<std::uint8_t> dek = Dek(3), out(512);
  SqlCpData plain = DataOf(dek), cipher = DataOf(out);
  SqlCpEncryptionParam param{scp_ept_IV, 0, nullptr};

  // NULL in every position.
  SqlCpCredential cred{n, n};
  EXPECT_EQ(SqlCryptOpenSession(nullptr, &s), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptOpenSession(&cred, nullptr), scp_err_InvalidArgument);
  SqlCpCredential null_name{{8, nullptr}, {0, nullptr}};
  EXPECT_EQ(SqlCryptOpenSession(&null_name, &forged), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptCloseSession(nullptr, 0), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetProviderInfo(nullptr), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetNextAlgorithmId(nullptr), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetAlgorithmInfo(1, nullptr), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetNextKeyId(nullptr, nullptr), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetNextKeyId(&s, nullptr), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByKeyId(nullptr, 1, &ki.info), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByKeyId(&s, 1, nullptr), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByThumb(nullptr, &t, &ki.info), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByThumb(&s, nullptr, &ki.info), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByThumb(&s, &t, nullptr), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByName(nullptr, &n, &ki.info), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByName(&s, nullptr, &ki.info), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptGetKeyInfoByName(&s, &n, nullptr), scp_err_InvalidArgument);
  for (SqlCpError rc : {SqlCryptEncrypt(nullptr, &t, 1, nullptr, 0, &plain, &cipher),
                        SqlCryptEncrypt(&s, nullptr, 1, nullptr, 0, &plain, &cipher),
                        SqlCryptEncrypt(&s, &t, 1, nullptr, 1, &plain, &cipher),
                        SqlCryptEncrypt(&s, &t, 1, nullptr, 0, nullptr, &cipher),
                        SqlCryptEncrypt(&s, &t, 1, nullptr, 0, &plain, nullptr),
                        SqlCryptDecrypt(nullptr, &t, 1, nullptr, 0, &cipher, &plain),
                        SqlCryptDecrypt(&s, nullptr, 1, nullptr, 0, &cipher, &plain),
                        SqlCryptDecrypt(&s, &t, 1, nullptr, 1, &cipher, &plain),
                        SqlCryptDecrypt(&s, &t, 1, nullptr, 0, nullptr, &plain),
                        SqlCryptDecrypt(&s, &t, 1, nullptr, 0, &cipher, nullptr)}) {
    EXPECT_EQ(rc, scp_err_InvalidArgument);
  }
  SqlCpData null_bytes{32, nullptr};
  EXPECT_EQ(SqlCryptEncrypt(&s, &null_bytes, 1, nullptr, 0, &plain, &cipher), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptEncrypt(&s, &t, 1, nullptr, 0, &null_bytes, &cipher), scp_err_InvalidArgument);

  // Unknown or forged session handles.
  EXPECT_EQ(SqlCryptGetKeyInfoByName(&forged, &n, &ki.info), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptCloseSession(&forged, 0), scp_err_InvalidArgument);

  // Thumbprints of the wrong length, empty data, odd UTF-16 byte counts.
  SqlCpData short_thumb{31, thumb_.data()};
  EXPECT_EQ(SqlCryptGetKeyInfoByThumb(&s, &short_thumb, &ki.info), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptEncrypt(&s, &short_thumb, 1, nullptr, 0, &plain, &cipher), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptDecrypt(&s, &short_thumb, 1, nullptr, 0, &cipher, &plain), scp_err_InvalidArgument);
  SqlCpData empty{0, dek.data()};
  EXPECT_EQ(SqlCryptEncrypt(&s, &t, 1, nullptr, 0, &empty, &cipher), scp_err_InvalidArgument);
  EXPECT_EQ(SqlCryptDecrypt(&s, &t, 1, nullptr, 0, &empty, &plain), scp_err_InvalidArgument);
  SqlCpStr odd{n.cb - 1, n.ws};
  EXPECT_EQ(SqlCryptGetKeyInfoByName(&s, &odd, &ki.info), scp_err_InvalidArgument);
  SqlCpCredential odd_cred{odd, {0, nullptr}};
  EXPECT_EQ(SqlCryptOpenSession(&odd_cred, &forged), scp_err_InvalidArgument);
  std::vector<std::uint8_t> wrong_size(100, 1);
  SqlCpData wrong_cipher = DataOf(wrong_size);
  EXPECT_EQ(SqlCryptDecrypt(&s, &t, 1, &param, 1, &wrong_cipher, &plain), scp_err_InvalidArgument);

  // Unknown names and thumbprints.
  std::vector<std::uint8_t> unknown(32, 0x5a);
  SqlCpData u = DataOf(unknown);
  EXPECT_EQ(SqlCryptGetKeyInfoByThumb(&s, &u, &ki.info), scp_err_NotFound);
  EXPECT_EQ(SqlCryptEncrypt(&s, &u, 1, nullptr, 0, &plain, &cipher), scp_err_NotFound);
  EngineString other("no-such-key");
  SqlCpStr o = other.str();
  EXPECT_EQ(SqlCryptGetKeyInfoByName(&s, &o, &ki.info), scp_err_NotFound);
  EngineString bad_version(info().key_name + "/00000000000000000000000000000000");
  SqlCpStr bv = bad_version.str();
  EXPECT_EQ(SqlCryptGetKeyInfoByName(&s, &bv, &ki.info), scp_err_NotFound);

  // Key management the engine may ask for is not supported.
  SqlCpKeyThumbprint out_thumb = DataOf(out);
  EXPECT_EQ(SqlCryptCreateKey(&s, &n, GEOEKM_ALG_RSA_2048, 0, &out_thumb), scp_err_NotSupported);
  EXPECT_EQ(SqlCryptDropKey(&s, &t), scp_err_NotSupported);
  EXPECT_EQ(SqlCryptImportKey(&s, &n, &t, scp_kbt_SimpleBlob, 0, &t), scp_err_NotSupported);
  EXPECT_EQ(SqlCryptExportKey(&s, &t, &t, scp_kbt_PublicKeyBlob, &out_thumb), scp_err_NotSupported);
  EXPECT_EQ(SqlCryptCloseSession(&s, 0), scp_err_Success);
  EXPECT_EQ(SqlCryptCloseSession(&s, 0), scp_err_InvalidArgument);  // closed (and NULLed)
}

TEST_F(EkmLibrary, CallsAfterFreeProviderFailAndInitializeWorksAgain) {
  SqlCpSession s = OpenOk();
  std::vector<std::uint8_t> wrapped = Encrypt(s, thumb_, Dek(4));
  ASSERT_EQ(SqlCryptFreeProvider(), scp_err_Success);
  SqlCpProviderInfo pi{};
  EXPECT_EQ(SqlCryptGetProviderInfo(&pi), scp_err_ProviderError);
  SqlCpAlgId id = 0;
  EXPECT_EQ(SqlCryptGetNextAlgorithmId(&id), scp_err_ProviderError);
  std::vector<std::uint8_t> dek;
  EXPECT_EQ(Decrypt(s, thumb_, wrapped, &dek), scp_err_ProviderError);
  SqlCpSession s2 = nullptr;
  EXPECT_EQ(Open(SetName(), "", &s2), scp_err_ProviderError);
  EXPECT_EQ(SqlCryptCloseSession(&s, 0), scp_err_ProviderError);

  ASSERT_EQ(SqlCryptInitializeProvider(), scp_err_Success);
  EXPECT_EQ(Decrypt(s, thumb_, wrapped, &dek), scp_err_InvalidArgument);  // the old session is gone
  s2 = OpenOk();
  ASSERT_EQ(Decrypt(s2, thumb_, wrapped, &dek), scp_err_Success);
  EXPECT_EQ(dek.size(), 32u);
  SqlCryptCloseSession(&s2, 0);
}

TEST_F(EkmLibrary, BadConfigurationFailsEveryCallWithProviderErrorAndOneLoggedReason) {
  SqlCryptFreeProvider();
  testing::TempDir dir("geoekm-ekm-bad");
  {
    std::ofstream(dir.File("bad.ini")) << "[provider]\nset_name = x\n";
  }
  UseConfig(dir.File("bad.ini"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(SqlCryptInitializeProvider(), scp_err_ProviderError);
  SqlCpProviderInfo pi{};
  EXPECT_EQ(SqlCryptGetProviderInfo(&pi), scp_err_ProviderError);
  SqlCpSession s = nullptr;
  EXPECT_EQ(Open("x", "", &s), scp_err_ProviderError);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(log, HasSubstr("fn=SqlCryptInitializeProvider result=7 error=5001"));
  EXPECT_THAT(log, HasSubstr("bad.ini"));
  UseConfig(dir.File("missing.ini"));
  EXPECT_EQ(SqlCryptInitializeProvider(), scp_err_ProviderError);
  UseConfig(info().geoekm_ini);
  EXPECT_EQ(SqlCryptInitializeProvider(), scp_err_Success);
}

TEST_F(EkmLibrary, FailuresAreOneLogLineWithTheConnectorCodeAndNoSecret) {
  SqlCryptFreeProvider();
  testing::TempDir dir("geoekm-ekm-log");
  const std::string log_file = dir.File("ekm.log");
  ASSERT_EQ(Reload(ConfigVariant(dir, "[provider]\n", "[provider]\nlog_file = " + log_file + "\n")),
            scp_err_Success);
  SqlCpSession s = nullptr;
  const std::string wrong = info().client_id + "wrong-secret-value";
  EXPECT_EQ(Open(SetName(), wrong, &s), scp_err_AuthFailure);
  EXPECT_EQ(Open(SetName(), "tooshort", &s), scp_err_AuthFailure);
  EXPECT_EQ(Open("not-the-set", "", &s), scp_err_AuthFailure);
  SqlCryptFreeProvider();
  const std::string log = vaultsim::ReadFileText(log_file).value_or("");
  EXPECT_THAT(log, HasSubstr("fn=SqlCryptOpenSession result=5 error=3303"));
  EXPECT_THAT(log, HasSubstr("fn=SqlCryptOpenSession result=5 error=2050"));
  EXPECT_THAT(log, HasSubstr("fn=SqlCryptOpenSession result=5 error=3900"));
  EXPECT_THAT(log, Not(HasSubstr("wrong-secret-value")));
  EXPECT_THAT(log, Not(HasSubstr(testbed().ClientSecret())));
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3) << log;
  UseConfig(info().geoekm_ini);
  ASSERT_EQ(SqlCryptInitializeProvider(), scp_err_Success);
}

// 32 engine threads × 1000 calls on one runtime: sessions opened and closed,
// lookups, encrypts and decrypts, all answering right.
TEST_F(EkmLibrary, ThirtyTwoThreadsTimesAThousandCalls) {
  SqlCpSession setup = OpenOk();
  std::vector<std::vector<std::uint8_t>> deks, wrapped;
  for (int i = 0; i < 8; ++i) {
    deks.push_back(Dek(i));
    wrapped.push_back(Encrypt(setup, thumb_, deks.back()));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      SqlCpSession s = nullptr;
      if (Open(SetName(), "", &s) != scp_err_Success) {
        wrong += 1000;
        return;
      }
      for (int i = 0; i < 1000; ++i) {
        switch (i % 10) {
          case 0: {  // decrypt (coalesced with other threads' identical ones)
            std::vector<std::uint8_t> dek;
            const std::size_t k = static_cast<std::size_t>(t + i) % deks.size();
            if (Decrypt(s, thumb_, wrapped[k], &dek) != scp_err_Success || dek != deks[k]) ++wrong;
            break;
          }
          case 1: {  // a fresh session
            SqlCpSession extra = nullptr;
            if (Open(SetName(), "", &extra) != scp_err_Success || SqlCryptCloseSession(&extra, 0) != scp_err_Success)
              ++wrong;
            break;
          }
          case 2: {
            SqlCpProviderInfo pi{};
            std::vector<char16_t> name(16);
            pi.name = SqlCpStr{32, name.data()};
            if (SqlCryptGetProviderInfo(&pi) != scp_err_Success) ++wrong;
            break;
          }
          default: {
            EngineKeyInfo ki;
            std::vector<std::uint8_t> th = thumb_;
            SqlCpData td = DataOf(th);
            if (SqlCryptGetKeyInfoByThumb(&s, &td, &ki.info) != scp_err_Success || ki.Thumb() != thumb_) ++wrong;
          }
        }
      }
      if (SqlCryptCloseSession(&s, 0) != scp_err_Success) ++wrong;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  SqlCryptCloseSession(&setup, 0);
}

TEST_F(EkmLibrary, ChangingTheWrapAlgorithmNeverStrandsAnOldDek) {
  SqlCpSession s = OpenOk();
  const std::vector<std::uint8_t> dek256 = Dek(5);
  const std::vector<std::uint8_t> wrapped256 = Encrypt(s, thumb_, dek256);  // RSA-OAEP-256, the testbed's
  SqlCryptCloseSession(&s, 0);
  testing::TempDir dir("geoekm-ekm-alg");
  ASSERT_EQ(Reload(ConfigVariant(dir, "wrap_algorithm = RSA-OAEP-256", "wrap_algorithm = RSA-OAEP")),
            scp_err_Success);
  s = OpenOk();
  std::vector<std::uint8_t> got;
  ASSERT_EQ(Decrypt(s, thumb_, wrapped256, &got), scp_err_Success);
  EXPECT_EQ(got, dek256);
  const std::vector<std::uint8_t> dek1 = Dek(6);
  const std::vector<std::uint8_t> wrapped1 = Encrypt(s, thumb_, dek1);  // RSA-OAEP now
  SqlCryptCloseSession(&s, 0);
  ASSERT_EQ(Reload(info().geoekm_ini), scp_err_Success);
  s = OpenOk();
  ASSERT_EQ(Decrypt(s, thumb_, wrapped1, &got), scp_err_Success);
  EXPECT_EQ(got, dek1);
  SqlCryptCloseSession(&s, 0);
}

// A write to a connection a vault reset raises SIGPIPE, which would end
// SQL Server: calls block it on the engine's thread (and restore the mask),
// and every thread the library starts has it blocked.
TEST_F(EkmLibrary, NoThreadOfTheLibraryTakesSigpipe) {
  // The engine's thread takes SIGPIPE (this process's test code blocks it).
  sigset_t pipe, engine_mask;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &pipe, &engine_mask), 0);
  SqlCryptFreeProvider();
  const auto before = BlockedSignalsByThread();
  const std::string self = std::to_string(::gettid());
  ASSERT_EQ(before.at(self) & kSigpipeBit, 0u);
  ASSERT_EQ(SqlCryptInitializeProvider(), scp_err_Success);
  SqlCpSession s = OpenOk();
  const std::vector<std::uint8_t> dek = Dek(8);
  std::vector<std::uint8_t> got;
  ASSERT_EQ(Decrypt(s, thumb_, Encrypt(s, thumb_, dek), &got), scp_err_Success);
  const auto after = BlockedSignalsByThread();
  int started = 0;
  for (const auto& [tid, blocked] : after) {
    if (before.count(tid) != 0) continue;
    ++started;
    EXPECT_NE(blocked & kSigpipeBit, 0u) << "thread " << tid << " started by the library takes SIGPIPE";
  }
  EXPECT_GT(started, 0);
  EXPECT_EQ(after.at(self) & kSigpipeBit, 0u) << "the engine thread's mask is restored";
  SqlCryptCloseSession(&s, 0);
  pthread_sigmask(SIG_SETMASK, &engine_mask, nullptr);
}

// Its own testbed: it adds a key version to some vaults only.
class EkmLibraryPartialRotation : public EkmLibrary {};

TEST_F(EkmLibraryPartialRotation, AVersionSomeVaultLacksIsFoundButNeverWrapsWith) {
  std::string out;
  {
    const std::string cmd =
        std::string(GEOEKM_ROTATE_KEY) + " " + info().geoekm_ini + " " + info().key_name + " eastus westus";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    ASSERT_EQ(::pclose(p), 0) << out;
  }
  const std::size_t at = out.find("version=");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string version = out.substr(at + 8, 32);
  ASSERT_EQ(Reload(info().geoekm_ini), scp_err_Success);  // a fresh router lists every vault
  SqlCpSession s = OpenOk();
  EngineString pinned(info().key_name + "/" + version);
  SqlCpStr p = pinned.str();
  EngineKeyInfo ki;
  ASSERT_EQ(SqlCryptGetKeyInfoByName(&s, &p, &ki.info), scp_err_Success);
  ASSERT_NE(ki.Thumb(), thumb_);
  std::vector<std::uint8_t> dek = Dek(7), out_buf(256);
  std::vector<std::uint8_t> partial = ki.Thumb();
  SqlCpData t = DataOf(partial), plain = DataOf(dek), cipher = DataOf(out_buf);
  EXPECT_EQ(SqlCryptEncrypt(&s, &t, 1, nullptr, 0, &plain, &cipher), scp_err_Failure);  // 5008 in the log
  // The version every vault holds still wraps and unwraps.
  std::vector<std::uint8_t> wrapped = Encrypt(s, thumb_, dek), got;
  ASSERT_EQ(Decrypt(s, thumb_, wrapped, &got), scp_err_Success);
  EXPECT_EQ(got, dek);
  SqlCryptCloseSession(&s, 0);
}

}  // namespace
}  // namespace geoekm
