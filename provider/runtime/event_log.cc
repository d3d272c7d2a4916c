#include "provider/runtime/event_log.h"

#include <Poco/Message.h>

#include <set>
#include <utility>

#include "core/error_codes.h"

namespace geoekm {
namespace {

using Poco::Message;

const char* FindingName(KeyCopyFinding finding) {
  switch (finding) {
    case KeyCopyFinding::kVerified: return "verified";
    case KeyCopyFinding::kMissing: return "missing";
    case KeyCopyFinding::kMismatch: return "mismatch";
  }
  return "finding";
}

// The codes a vault (or the login service it sent us to) answers with when
// its 2xx body or challenge is unusable.
bool IsGarbageCode(int code) {
  static const std::set<int> kGarbage = {codes::kChallengeMalformed, codes::kTokenJsonParser,
                                         codes::kGetKeyJsonParser,   codes::kBackupJsonParser,
                                         codes::kWrapJsonParser,     codes::kUnwrapJsonParser};
  return kGarbage.count(code) != 0;
}

// One event line: "name key=value ..."; values with blanks or quotes are
// quoted, control characters (a newline would forge a line) become '?'.
class Line {
 public:
  explicit Line(std::string_view event) : text_(event) {}

  Line& Field(std::string_view key, std::string_view value) {
    text_ += ' ';
    text_ += key;
    text_ += '=';
    const bool quote = value.empty() || value.find_first_of(" \"\\=") != std::string_view::npos;
    if (quote) text_ += '"';
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        text_ += '?';
      } else {
        if (quote && (c == '"' || c == '\\')) text_ += '\\';
        text_ += c;
      }
    }
    if (quote) text_ += '"';
    return *this;
  }
  Line& Field(std::string_view key, std::int64_t value) { return Field(key, std::to_string(value)); }

  // error=N [http=H] ... and, last, the connector's description of N.
  Line& Code(int code, int http_status) {
    Field("error", code);
    if (http_status != 0) Field("http", http_status);
    if (code != 0) description_ = codes::Describe(code);
    return *this;
  }

  std::string str() const {
    return description_.empty() ? text_ : text_ + " (" + std::string(description_) + ")";
  }

 private:
  std::string text_;
  std::string_view description_;
};

int HealthPriority(VaultHealthState to) {
  switch (to) {
    case VaultHealthState::kQuarantined: return Message::PRIO_ERROR;
    case VaultHealthState::kSuspect:
    case VaultHealthState::kEjected: return Message::PRIO_WARNING;
    case VaultHealthState::kHealthy:
    case VaultHealthState::kProbing: return Message::PRIO_INFORMATION;
  }
  return Message::PRIO_WARNING;
}

}  // namespace

EventLog::EventLog(Poco::Logger& logger, std::string set_name, std::vector<std::string> vaults_by_priority)
    : logger_(logger), set_name_(std::move(set_name)), order_(std::move(vaults_by_priority)) {
  for (const std::string& v : order_) vaults_[v];
}

void EventLog::WatchRetryBudget(const std::string& vault, std::function<std::uint64_t()> exhausted) {
  std::lock_guard lock(mu_);
  VaultView& view = vaults_[vault];
  view.budget_seen = exhausted();
  view.budget_exhausted = std::move(exhausted);
}

void EventLog::Emit(int priority, const std::string& text) {
  Message message(logger_.name(), text, static_cast<Message::Priority>(priority));
  message.set("set", set_name_);
  logger_.log(message);
}

void EventLog::StartupFailed(const Status& status) {
  if (!logger_.error()) return;
  Emit(Message::PRIO_ERROR, Line("startup-failed").Code(status.code(), status.http_status())
                                .Field("reason", status.message())
                                .str());
}

void EventLog::OnHealthChange(const VaultHealthEvent& event) {
  {
    std::lock_guard lock(mu_);
    VaultView& view = vaults_[event.vault];
    view.state = event.to;
    view.error_code = event.error_code;
    view.http_status = event.http_status;
  }
  const int priority = HealthPriority(event.to);
  if (!logger_.is(priority)) return;
  Line line("health-change");
  line.Field("vault", event.vault)
      .Field("from", VaultHealthStateName(event.from))
      .Field("to", VaultHealthStateName(event.to));
  if (event.error_code != 0) line.Code(event.error_code, event.http_status);
  Emit(priority, line.Field("reason", event.reason).str());
}

void EventLog::OnVaultCall(const VaultCallEvent& event) {
  if (event.outcome_code == 0) {
    TrackServingVault(event);
  } else {
    CheckRetryBudget(event);
    if (event.error_class == ErrorClass::kInvalidInput && logger_.warning()) {
      // A vault client refused an argument before sending it (e.g. a key
      // name no vault accepts). Not repeated here: a caller's garbage may be
      // anything (debug's vault-call line shows the key name).
      Emit(Message::PRIO_WARNING, Line("refused-request")
                                      .Field("vault", event.vault)
                                      .Field("call", VaultCallName(event.call))
                                      .Code(event.outcome_code, 0)
                                      .str());
    } else if (IsGarbageCode(event.outcome_code) && logger_.warning()) {
      Emit(Message::PRIO_WARNING, Line("refused-vault-answer")
                                      .Field("vault", event.vault)
                                      .Field("call", VaultCallName(event.call))
                                      .Field("key", event.key_name)
                                      .Field("request_id", event.request_id)
                                      .Code(event.outcome_code, event.http_status)
                                      .str());
    }
  }
  if (!logger_.debug()) return;
  Line line("vault-call");
  line.Field("vault", event.vault)
      .Field("call", VaultCallName(event.call))
      .Field("key", event.key_name)
      .Field("thumbprint", event.thumbprint)
      .Field("latency_ms", event.latency.count())
      .Field("request_id", event.request_id);
  if (event.hedged) line.Field("hedged", "true");
  if (event.abandoned) line.Field("abandoned", "true");
  if (event.outcome_code != 0) line.Field("class", ErrorClassName(event.error_class));
  Emit(Message::PRIO_DEBUG, line.Code(event.outcome_code, event.http_status).str());
}

std::string EventLog::Preferred() const {
  for (const std::string& v : order_) {
    auto it = vaults_.find(v);
    if (it == vaults_.end() || it->second.state != VaultHealthState::kQuarantined) return v;
  }
  return "";
}

void EventLog::TrackServingVault(const VaultCallEvent& event) {
  // Hedged wins and abandoned answers say the preferred vault was slow
  // once, not that traffic moved: they would make the line flap.
  if ((event.call != VaultCall::kWrap && event.call != VaultCall::kUnwrap) || event.hedged || event.abandoned) return;
  std::string text;
  int priority = Message::PRIO_INFORMATION;
  {
    std::lock_guard lock(mu_);
    if (event.vault == serving_) return;
    const std::string preferred = Preferred();
    if (preferred.empty()) return;  // every vault quarantined: nothing is served
    // Under load the router spreads attempts past a busy but healthy
    // preferred vault (max_attempts_per_vault): that is not traffic moving.
    if (event.vault != preferred && vaults_[preferred].state == VaultHealthState::kHealthy) return;
    const std::string previous = std::exchange(serving_, event.vault);
    if (event.vault != preferred) {
      if (!previous.empty() && previous != preferred) return;  // moved between fallbacks
      const VaultView& p = vaults_[preferred];
      Line line("failover");
      line.Field("call", VaultCallName(event.call))
          .Field("served_by", event.vault)
          .Field("preferred", preferred)
          .Field("preferred_state", VaultHealthStateName(p.state));
      if (p.error_code != 0) line.Code(p.error_code, p.http_status);
      text = line.str();
      priority = Message::PRIO_WARNING;
    } else if (!previous.empty()) {
      text = Line("failback").Field("call", VaultCallName(event.call)).Field("served_by", event.vault)
                 .Field("was_served_by", previous).str();
    }
  }
  if (!text.empty() && logger_.is(priority)) Emit(priority, text);
}

void EventLog::CheckRetryBudget(const VaultCallEvent& event) {
  std::uint64_t refused = 0;
  {
    std::lock_guard lock(mu_);
    auto it = vaults_.find(event.vault);
    if (it == vaults_.end() || !it->second.budget_exhausted) return;
    const std::uint64_t now = it->second.budget_exhausted();
    if (now <= it->second.budget_seen) return;
    refused = now - it->second.budget_seen;
    it->second.budget_seen = now;
  }
  if (!logger_.warning()) return;
  Emit(Message::PRIO_WARNING, Line("retry-budget-exhausted")
                                  .Field("vault", event.vault)
                                  .Field("call", VaultCallName(event.call))
                                  .Field("retries_refused", static_cast<std::int64_t>(refused))
                                  .Code(event.outcome_code, event.http_status)
                                  .str());
}

void EventLog::OnKeyCopy(const KeyCopyEvent& event) {
  const int priority = event.finding == KeyCopyFinding::kMismatch  ? Message::PRIO_WARNING
                       : event.finding == KeyCopyFinding::kMissing ? Message::PRIO_INFORMATION
                                                                   : Message::PRIO_DEBUG;
  if (!logger_.is(priority)) return;
  Line line("key-copy");
  line.Field("vault", event.vault)
      .Field("key", event.key_name)
      .Field("thumbprint", event.thumbprint)
      .Field("finding", FindingName(event.finding));
  if (event.finding == KeyCopyFinding::kMismatch) {
    line.Field("observed_thumbprint", event.observed_thumbprint).Code(codes::kKeyMaterialMismatch, 0);
  }
  Emit(priority, line.Field("detail", event.detail).str());
}

void EventLog::OnRefusedRequest(const RefusedRequestEvent& event) {
  if (!logger_.warning()) return;
  Emit(Message::PRIO_WARNING, Line("refused-request").Code(event.error_code, 0).Field("reason", event.reason).str());
}

}  // namespace geoekm
