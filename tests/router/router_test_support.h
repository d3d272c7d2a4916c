// Test doubles for the router's upward interfaces: an in-memory
// KeyVersionRecorder (scriptable failure, scriptable history to which each
// recorded version is added) and an
// observer that keeps every event; plus a fake clock.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "vault_router/key_version_recorder.h"
#include "vault_router/router_observer.h"

namespace geoekm::testing {

class MemoryRecorder : public KeyVersionRecorder {
 public:
  Status RecordWrapKeyVersion(const std::string& vault, const KeyBundle& version) override {
    std::lock_guard lock(mu_);
    if (failure_) return *failure_;
    records_.emplace_back(vault, version.thumbprint);
    return Status::Ok();
  }
  // Like the state store: the scripted history plus every version recorded since.
  Result<std::vector<std::string>> KnownThumbprints(const std::string&) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> known = history_;
    for (const auto& [vault, thumbprint] : records_) known.push_back(thumbprint);
    return known;
  }
  void FailWith(std::optional<Status> s) {
    std::lock_guard lock(mu_);
    failure_ = std::move(s);
  }
  void SetHistory(std::vector<std::string> h) {
    std::lock_guard lock(mu_);
    history_ = std::move(h);
  }
  std::vector<std::pair<std::string, std::string>> records() const {
    std::lock_guard lock(mu_);
    return records_;
  }

 private:
  mutable std::mutex mu_;
  std::optional<Status> failure_;
  std::vector<std::string> history_;
  std::vector<std::pair<std::string, std::string>> records_;  // (vault, thumbprint)
};

class EventLog : public RouterObserver {
 public:
  void OnHealthChange(const VaultHealthEvent& e) override {
    std::lock_guard lock(mu_);
    health_.push_back(e);
  }
  void OnVaultCall(const VaultCallEvent& e) override {
    std::lock_guard lock(mu_);
    calls_.push_back(e);
  }
  void OnKeyCopy(const KeyCopyEvent& e) override {
    std::lock_guard lock(mu_);
    copies_.push_back(e);
  }
  std::vector<VaultHealthEvent> health() const {
    std::lock_guard lock(mu_);
    return health_;
  }
  std::vector<VaultCallEvent> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<KeyCopyEvent> copies() const {
    std::lock_guard lock(mu_);
    return copies_;
  }
  // Health transitions of one vault, as "from->to" words.
  std::vector<std::string> TransitionsOf(const std::string& vault) const;

 private:
  mutable std::mutex mu_;
  std::vector<VaultHealthEvent> health_;
  std::vector<VaultCallEvent> calls_;
  std::vector<KeyCopyEvent> copies_;
};

// Passes every router event to two observers (e.g. the state store's
// recorder and an EventLog the test inspects).
class ObserverTee : public RouterObserver {
 public:
  ObserverTee(std::shared_ptr<RouterObserver> first, std::shared_ptr<RouterObserver> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  void OnHealthChange(const VaultHealthEvent& e) override {
    first_->OnHealthChange(e);
    second_->OnHealthChange(e);
  }
  void OnVaultCall(const VaultCallEvent& e) override {
    first_->OnVaultCall(e);
    second_->OnVaultCall(e);
  }
  void OnKeyCopy(const KeyCopyEvent& e) override {
    first_->OnKeyCopy(e);
    second_->OnKeyCopy(e);
  }

 private:
  std::shared_ptr<RouterObserver> first_, second_;
};

// A steady-clock time point that only moves when a test says so.
class FakeClock {
 public:
  Clock::time_point Now() const { return Clock::time_point(std::chrono::nanoseconds(ns_.load())); }
  void Advance(std::chrono::milliseconds d) { ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

 private:
  std::atomic<std::int64_t> ns_{std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::hours(1000)).count()};
};

}  // namespace geoekm::testing
