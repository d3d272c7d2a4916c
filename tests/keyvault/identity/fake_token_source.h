// FakeTokenSource: a TokenSource for unit tests that counts fetches, can
// block them until released (to pile up concurrent callers), and hands out
// tokens "tok-1", "tok-2", ... with a chosen lifetime against a fake clock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "core/error_codes.h"
#include "keyvault/identity/token_response.h"
#include "keyvault/identity/token_source.h"

namespace geoekm {

class FakeTokenSource : public TokenSource {
 public:
  explicit FakeTokenSource(std::atomic<std::int64_t>* clock, std::int64_t lifetime = 3600)
      : clock_(clock), lifetime_(lifetime) {}

  Result<AccessToken> Fetch(const TokenScope& scope, Deadline) override {
    int n = ++calls_;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !blocked_; });
      --waiting_;
      last_scope_ = scope;
    }
    if (int code = fail_next_.exchange(0); code != 0) return Status(code, ErrorClass::kTransient, "fake failure");
    if (fail_) return Status(codes::kTokenFailed, ErrorClass::kAuth, "fake failure");
    std::string value = "tok-" + std::to_string(n);
    return MakeAccessToken(SecureString(value.begin(), value.end()), clock_->load(), clock_->load() + lifetime_);
  }
  std::string identity() const override { return "fake"; }

  void Block() {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  void WaitUntilFetching() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ > 0; });
  }
  int calls() const { return calls_; }
  void set_fail(bool fail) { fail_ = fail; }
  void FailNext(int code) { fail_next_ = code; }
  TokenScope last_scope() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_scope_;
  }

 private:
  std::atomic<std::int64_t>* clock_;
  std::int64_t lifetime_;
  std::atomic<int> calls_{0};
  std::atomic<bool> fail_{false};
  std::atomic<int> fail_next_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  int waiting_ = 0;
  TokenScope last_scope_;
};

}  // namespace geoekm
