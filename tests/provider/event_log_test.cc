// The event log at its seams: the Poco channel SetUpLogging builds from a
// configuration (a real file, rotation, a log_file that cannot be opened)
// and the lines EventLog writes for router events fed to it directly,
// level by level. tests/provider/logging_testbed_test.cc drives it through
// a real router and real vaults.
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error_codes.h"
#include "vaultsim/file_text.h"
#include "provider/runtime/event_log.h"
#include "provider/runtime/log_setup.h"
#include "tests/support/temp_dir.h"

namespace geoekm {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadAll(const std::string& path) { return vaultsim::ReadFileText(path).value_or(""); }

VaultHealthEvent Health(const std::string& vault, VaultHealthState from, VaultHealthState to, int code, int http,
                        const std::string& reason) {
  return VaultHealthEvent{vault, from, to, reason, code, http};
}

VaultCallEvent Call(VaultCall call, const std::string& vault, int code = 0, bool hedged = false) {
  VaultCallEvent e;
  e.call = call;
  e.vault = vault;
  e.key_name = "tde-protector";
  e.outcome_code = code;
  e.error_class = code ? ErrorClass::kTransient : ErrorClass::kNone;
  e.hedged = hedged;
  e.request_id = "req-1";
  return e;
}

class EventLogTest : public ::testing::Test {
 protected:
  // Logs at `level` into a fresh file; returns the event log.
  EventLog& Start(LogLevel level) {
    ProviderConfig p;
    p.set_name = "geoekm-test";
    p.log_level = level;
    p.log_file = log_file_;
    Status s = SetUpLogging(p);
    EXPECT_TRUE(s.ok()) << s.ToString();
    log_ = std::make_unique<EventLog>(EventLogger(p.set_name), p.set_name,
                                      std::vector<std::string>{"eastus", "westus", "japaneast"});
    return *log_;
  }
  std::string Text() const { return ReadAll(log_file_); }

  testing::TempDir dir_{"geoekm-event-log"};
  std::string log_file_ = dir_.File("geoekm.log");
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogTest, HealthChangesCarryTheConnectorsCodeAndDescription) {
  EventLog& log = Start(LogLevel::kInfo);
  log.OnHealthChange(Health("eastus", VaultHealthState::kHealthy, VaultHealthState::kEjected, codes::kHttpServerError,
                            503, "3 consecutive failures"));
  log.OnHealthChange(Health("eastus", VaultHealthState::kEjected, VaultHealthState::kProbing, 0, 0, "probe due"));
  const std::string text = Text();
  EXPECT_THAT(text, ContainsRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z Warning geoekm\\[[0-9]+\\] geoekm-test: "
                                  "health-change "
                                  "vault=eastus from=healthy to=ejected error=3013 http=503 "
                                  "reason=\"3 consecutive failures\" \\(Server responded a response code between "
                                  "500 and 600\\.\\)\n"));
  EXPECT_THAT(text, HasSubstr("Information geoekm"));
  EXPECT_THAT(text, HasSubstr("health-change vault=eastus from=ejected to=probing reason=\"probe due\"\n"));
}

TEST_F(EventLogTest, FailoverIsLoggedOnceWhenTrafficLeavesThePreferredVaultAndFailbackWhenItReturns) {
  EventLog& log = Start(LogLevel::kInfo);
  log.OnVaultCall(Call(VaultCall::kUnwrap, "eastus"));
  log.OnHealthChange(Health("eastus", VaultHealthState::kHealthy, VaultHealthState::kEjected,
                            codes::kHttpConnectSession, 0, "connection refused"));
  log.OnVaultCall(Call(VaultCall::kUnwrap, "westus"));
  log.OnVaultCall(Call(VaultCall::kUnwrap, "westus"));
  log.OnVaultCall(Call(VaultCall::kWrap, "japaneast"));  // still failed over: no new line
  log.OnVaultCall(Call(VaultCall::kUnwrap, "eastus"));
  log.OnVaultCall(Call(VaultCall::kUnwrap, "westus", 0, /*hedged=*/true));  // a hedge won once: not a failover
  log.OnVaultCall(Call(VaultCall::kGetKey, "westus"));                      // a key read: not traffic
  const std::string text = Text();
  EXPECT_THAT(text, HasSubstr("Warning geoekm"));
  EXPECT_THAT(text, HasSubstr("failover call=unwrap served_by=westus preferred=eastus preferred_state=ejected "
                              "error=3004 (Cannot connect an Http session because of network error.)\n"));
  EXPECT_THAT(text, HasSubstr("failback call=unwrap served_by=eastus was_served_by=japaneast\n"));
  std::size_t failovers = 0;
  for (auto at = text.find("failover "); at != std::string::npos; at = text.find("failover ", at + 1)) ++failovers;
  EXPECT_EQ(failovers, 1u) << text;
  EXPECT_THAT(text, Not(HasSubstr("failback call=unwrap served_by=westus")));
}

TEST_F(EventLogTest, LoadSpreadPastAHealthyPreferredVaultIsNotAFailover) {
  EventLog& log = Start(LogLevel::kInfo);
  log.OnVaultCall(Call(VaultCall::kUnwrap, "eastus"));
  for (int i = 0; i < 3; ++i) {  // eastus busy, healthy: the router spreads to the others
    log.OnVaultCall(Call(VaultCall::kUnwrap, "westus"));
    log.OnVaultCall(Call(VaultCall::kUnwrap, "japaneast"));
    log.OnVaultCall(Call(VaultCall::kUnwrap, "eastus"));
  }
  EXPECT_THAT(Text(), AllOf(Not(HasSubstr("failover")), Not(HasSubstr("failback")))) << Text();

  // Once eastus is not healthy, the same answer from westus is a failover.
  log.OnHealthChange(Health("eastus", VaultHealthState::kHealthy, VaultHealthState::kSuspect,
                            codes::kHttpConnectSession, 0, "connection refused"));
  log.OnVaultCall(Call(VaultCall::kUnwrap, "westus"));
  EXPECT_THAT(Text(), HasSubstr("failover call=unwrap served_by=westus preferred=eastus preferred_state=suspect"));
}

TEST_F(EventLogTest, AQuarantinedPreferredVaultHandsPreferenceToTheNext) {
  EventLog& log = Start(LogLevel::kInfo);
  log.OnHealthChange(Health("eastus", VaultHealthState::kHealthy, VaultHealthState::kQuarantined,
                            codes::kKeyMaterialMismatch, 0, "other key material"));
  log.OnVaultCall(Call(VaultCall::kWrap, "westus"));
  const std::string text = Text();
  EXPECT_THAT(text, HasSubstr("Error geoekm"));
  EXPECT_THAT(text, HasSubstr("to=quarantined error=5005"));
  EXPECT_THAT(text, Not(HasSubstr("failover")));
}

TEST_F(EventLogTest, RefusedInputIsLoggedWithItsCode) {
  EventLog& log = Start(LogLevel::kInfo);
  log.OnRefusedRequest(RefusedRequestEvent{codes::kInvalidArgument, "unwrap: wrapped key is empty"});
  log.OnVaultCall(Call(VaultCall::kUnwrap, "westus", codes::kUnwrapJsonParser));
  log.StartupFailed(Status(codes::kStateStoreError, ErrorClass::kInternal, "opening the state store: disk full"));
  VaultCallEvent bad_name = Call(VaultCall::kListVersions, "eastus", codes::kInvalidArgument);
  bad_name.error_class = ErrorClass::kInvalidInput;
  bad_name.key_name = "not_a_key_name";
  log.OnVaultCall(bad_name);
  const std::string text = Text();
  EXPECT_THAT(text, HasSubstr("Warning geoekm"));
  EXPECT_THAT(text, HasSubstr("refused-request error=6 reason=\"unwrap: wrapped key is empty\" "
                              "(The provided argument is invalid.)\n"));
  EXPECT_THAT(text, HasSubstr("refused-vault-answer vault=westus call=unwrap key=tde-protector request_id=req-1 "
                              "error=3707"));
  EXPECT_THAT(text, HasSubstr("Error geoekm"));
  EXPECT_THAT(text, HasSubstr("startup-failed error=5007 reason=\"opening the state store: disk full\""));
  EXPECT_THAT(text, HasSubstr("refused-request vault=eastus call=list-versions error=6 "
                              "(The provided argument is invalid.)\n"));
  EXPECT_THAT(text, Not(HasSubstr("not_a_key_name")));
}

TEST_F(EventLogTest, RetryBudgetExhaustionIsLoggedWhenTheClientsCountGoesUp) {
  EventLog& log = Start(LogLevel::kInfo);
  std::uint64_t exhausted = 4;  // before the log started: not reported
  log.WatchRetryBudget("eastus", [&] { return exhausted; });
  log.OnVaultCall(Call(VaultCall::kUnwrap, "eastus", codes::kHttpServerError));
  EXPECT_THAT(Text(), Not(HasSubstr("retry-budget-exhausted")));
  exhausted = 6;
  VaultCallEvent failed = Call(VaultCall::kUnwrap, "eastus", codes::kHttpServerError);
  failed.http_status = 503;
  log.OnVaultCall(failed);
  log.OnVaultCall(failed);  // no new exhaustion
  const std::string text = Text();
  EXPECT_THAT(text, HasSubstr("retry-budget-exhausted vault=eastus call=unwrap retries_refused=2 error=3013 "
                              "http=503"));
  EXPECT_EQ(text.find("retry-budget-exhausted"), text.rfind("retry-budget-exhausted")) << text;
}

TEST_F(EventLogTest, LevelsFilter) {
  {
    EventLog& log = Start(LogLevel::kError);
    log.OnHealthChange(Health("eastus", VaultHealthState::kHealthy, VaultHealthState::kSuspect,
                              codes::kHttpConnectSession, 0, "refused"));
    log.OnVaultCall(Call(VaultCall::kUnwrap, "westus"));
    log.OnRefusedRequest(RefusedRequestEvent{codes::kInvalidArgument, "wrap: nothing to wrap"});
    log.OnHealthChange(Health("japaneast", VaultHealthState::kHealthy, VaultHealthState::kQuarantined,
                              codes::kKeyMaterialMismatch, 0, "other key material"));
    const std::string text = Text();
    EXPECT_THAT(text, HasSubstr("vault=japaneast from=healthy to=quarantined"));
    EXPECT_THAT(text, AllOf(Not(HasSubstr("to=suspect")), Not(HasSubstr("failover")),
                            Not(HasSubstr("refused-request")), Not(HasSubstr("vault-call"))));
  }
  std::filesystem::remove(log_file_);
  {
    EventLog& log = Start(LogLevel::kInfo);
    log.OnVaultCall(Call(VaultCall::kUnwrap, "eastus"));
    EXPECT_THAT(Text(), Not(HasSubstr("vault-call")));
  }
  std::filesystem::remove(log_file_);
  {
    EventLog& log = Start(LogLevel::kDebug);
    log.OnVaultCall(Call(VaultCall::kUnwrap, "eastus"));
    log.OnVaultCall(Call(VaultCall::kProbe, "westus", codes::kHttpConnectSession));
    const std::string text = Text();
    EXPECT_THAT(text, HasSubstr("Debug geoekm"));
    EXPECT_THAT(text, HasSubstr("vault-call vault=eastus call=unwrap key=tde-protector thumbprint=\"\" latency_ms=0 "
                                "request_id=req-1 error=0"));
    EXPECT_THAT(text, HasSubstr("vault-call vault=westus call=probe"));
    EXPECT_THAT(text, HasSubstr("class=transient error=3004"));
  }
}

TEST_F(EventLogTest, FreeTextStaysOnOneLine) {
  EventLog& log = Start(LogLevel::kInfo);
  log.OnHealthChange(Health("eastus", VaultHealthState::kHealthy, VaultHealthState::kSuspect, codes::kHttpServerError,
                            500, "bad\nnews \"quoted\"\r\n2026-01-01T00:00:00Z Error geoekm[1]: forged"));
  const std::string text = Text();
  EXPECT_THAT(text, HasSubstr("reason=\"bad?news \\\"quoted\\\"??2026-01-01T00:00:00Z Error geoekm[1]: forged\""));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST(LogSetup, LogFileRotatesAtTenMegabytesKeepingFiveNumberedArchives) {
  testing::TempDir dir("geoekm-log-rotation");
  ProviderConfig p;
  p.set_name = "geoekm-rotation";
  p.log_file = dir.File("geoekm.log");
  p.log_level = LogLevel::kDebug;
  ASSERT_TRUE(SetUpLogging(p).ok());
  auto* formatting = dynamic_cast<Poco::FormattingChannel*>(EventLogger(p.set_name).getChannel().get());
  ASSERT_NE(formatting, nullptr);
  auto* file = dynamic_cast<Poco::FileChannel*>(formatting->getChannel().get());
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->getProperty(Poco::FileChannel::PROP_ROTATION), "10 M");
  EXPECT_EQ(file->getProperty(Poco::FileChannel::PROP_ARCHIVE), "number");
  EXPECT_EQ(file->getProperty(Poco::FileChannel::PROP_PURGECOUNT), "5");
  // And it does rotate: a little over 10 MB of lines starts geoekm.log.0.
  const std::string line(1000, 'x');
  for (int i = 0; i < 10600; ++i) EventLogger(p.set_name).debug(line);
  EXPECT_TRUE(std::filesystem::exists(dir.File("geoekm.log.0")));
  EXPECT_LT(std::filesystem::file_size(p.log_file), 10u * 1024 * 1024);
}

TEST(LogSetup, ALogFileThatCannotBeOpenedIsAConfigurationError) {
  testing::TempDir dir("geoekm-log-unwritable");
  std::ofstream(dir.File("plain")) << "a file, not a directory";
  for (const std::string& path : {dir.File("plain") + "/geoekm.log", dir.path(), std::string("/proc/geoekm.log")}) {
    ProviderConfig p;
    p.log_file = path;
    Status s = SetUpLogging(p);
    EXPECT_EQ(s.code(), codes::kConfigInvalid) << path;
    EXPECT_EQ(s.error_class(), ErrorClass::kInvalidInput);
    EXPECT_THAT(s.message(), HasSubstr("log_file '" + path + "' cannot be opened for writing")) << s.ToString();
  }
}

}  // namespace
}  // namespace geoekm
