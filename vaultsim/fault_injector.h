// FaultInjector: the faults an operator (a test) sets at runtime through the
// admin API — latency, error statuses at a rate, connection resets,
// blackhole, throttle storm, firewall deny, a garbled answer body, tampered
// answers — and the per-request decision drawn from them. JSON format in
// README.md ("Faults").
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"
#include "vaultsim/answer_tamper.h"

namespace geoekm::vaultsim {

struct FaultDecision {
  int latency_ms = 0;
  bool blackhole = false;
  bool reset = false;
  std::optional<int> error_status;
  bool throttle_storm = false;
  std::optional<int> storm_retry_after;  // seconds, when the storm sends Retry-After
  std::optional<AnswerTamper> tamper;    // applied to the answer (AnswerTamper)
};

class FaultInjector {
 public:
  explicit FaultInjector(bool firewall_deny) : firewall_deny_(firewall_deny) {}

  // Merges a POST /faults body; a bad body changes nothing.
  Status Merge(const std::string& json);
  void Clear();
  void SetFirewallDeny(bool deny);
  bool firewall_deny() const;
  bool blackhole_active() const;

  FaultDecision Decide(std::string_view operation);
  // The body that replaces a successful answer to `operation`, if the
  // "answer" fault fires (decided after processing: a 401 challenge or a
  // refusal does not use up its count).
  std::optional<std::string> AnswerBody(std::string_view operation);
  Poco::JSON::Object::Ptr ToJson() const;

 private:
  struct Targeted {
    std::set<std::string> operations;  // empty = all
    double rate = 1.0;
    std::int64_t remaining = -1;       // -1 = unlimited
    bool Matches(std::string_view op) const;
  };
  struct Latency {
    int fixed_ms = 0;
    int jitter_ms = 0;
    std::set<std::string> operations;
  };
  struct Error : Targeted {
    int status = 503;
  };
  struct Answer : Targeted {
    std::string body;
  };
  struct Tamper : Targeted {
    AnswerTamper change;
  };
  struct Storm {
    bool retry_after = true;
    int retry_after_seconds = 1;
  };

  bool Fire(Targeted& t, std::string_view op);  // rate + count, under mu_

  mutable std::mutex mu_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::optional<Latency> latency_;
  std::optional<Error> error_;
  std::optional<Targeted> reset_;
  std::optional<Tamper> tamper_;
  bool blackhole_ = false;
  std::optional<Storm> storm_;
  std::optional<Answer> answer_;
  bool firewall_deny_;
};

}  // namespace geoekm::vaultsim
