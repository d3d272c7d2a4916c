// FakeKeyVault: a scriptable in-process KeyVaultKeys (the router's port) for router unit
// tests. Holds key versions backed by real RSA keys (TestRsaKey), so wraps
// and unwraps are real; tests script latency, failures by error class per
// operation, a blackhole (no answer until the deadline), throttling beyond a
// number of concurrent unwraps, a gate that holds unwraps until opened, and
// missing or different material. Counts every call per operation. A call
// whose deadline is cancelled returns at once, as over the real transport.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "tests/router/test_rsa_key.h"
#include "keyvault/keys/key_vault_keys.h"

namespace geoekm::testing {

enum class FakeOp { kGetKey, kList, kWrap, kUnwrap };

// A vault-style failure: the code, class and HTTP status a real client would report.
Status VaultFailure(ErrorClass cls);

class FakeKeyVault : public KeyVaultKeys {
 public:
  explicit FakeKeyVault(std::string name);
  ~FakeKeyVault() override;

  // --- key material ----------------------------------------------------------
  // Adds a version (random 32-hex id unless given); later versions are newer.
  std::string AddVersion(const std::string& key_name, std::shared_ptr<const TestRsaKey> material,
                         std::string version = "");
  void RemoveVersion(const std::string& key_name, const std::string& version);
  // Swaps the material behind an existing version id (a replaced vault).
  void ReplaceMaterial(const std::string& key_name, const std::string& version,
                       std::shared_ptr<const TestRsaKey> material);

  // --- scripting -------------------------------------------------------------
  void Fail(FakeOp op, std::optional<Status> failure);  // every call of op fails (nullopt = heal)
  void FailAll(std::optional<Status> failure);          // every op
  // The next `count` calls of op fail, then it heals.
  void FailNext(FakeOp op, Status failure, int count);
  void SetLatency(FakeOp op, std::chrono::milliseconds latency);
  void SetBlackhole(bool on);          // no answer until the caller's deadline
  void SetMaxConcurrentUnwraps(int n); // 429 beyond n concurrent unwraps (0 = no limit)
  void CloseUnwrapGate();              // unwraps wait (until the deadline) ...
  void OpenUnwrapGate();               // ... until this
  // Releases every waiting call (blackhole, gate, latency) at once; for teardown.
  void ReleaseAll();

  // --- observation -----------------------------------------------------------
  int calls(FakeOp op) const;
  int unwraps() const { return calls(FakeOp::kUnwrap); }
  int wraps() const { return calls(FakeOp::kWrap); }
  int unwraps_started_waiting() const { return waiting_.load(); }
  int max_concurrent_unwraps() const { return max_concurrent_unwraps_.load(); }
  int successful_unwraps() const { return successful_unwraps_.load(); }

  // --- KeyVaultKeys ----------------------------------------------------------
  const std::string& vault_name() const override { return name_; }
  Result<KeyBundle> GetKey(const std::string& name, const std::string& version, Deadline deadline) override;
  Result<std::vector<KeyVersionItem>> ListKeyVersions(const std::string& name, Deadline deadline) override;
  Result<Bytes> WrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                        const SecureBytes& plaintext, Deadline deadline) override;
  Result<SecureBytes> UnwrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                const Bytes& wrapped, Deadline deadline) override;

 private:
  struct Version {
    std::string id;
    std::shared_ptr<const TestRsaKey> material;
    std::int64_t created = 0;
  };
  // Applies the script for one call; returns a failure to report, if any.
  std::optional<Status> Enter(FakeOp op, Deadline deadline);
  // Sleeps `d` or until the deadline / ReleaseAll(); false if the deadline came first.
  bool Wait(std::chrono::milliseconds d, Deadline deadline);
  std::optional<Version> Find(const std::string& name, const std::string& version) const;
  KeyBundle BundleOf(const std::string& name, const Version& v) const;

  const std::string name_;
  class CancelWake;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<Version>> keys_;
  std::map<FakeOp, Status> failures_;
  std::map<FakeOp, std::pair<Status, int>> fail_next_;
  std::map<FakeOp, std::chrono::milliseconds> latency_;
  std::map<FakeOp, int> calls_;
  bool blackhole_ = false;
  bool gate_closed_ = false;
  std::uint64_t release_generation_ = 0;
  int max_concurrent_unwraps_limit_ = 0;
  int concurrent_unwraps_ = 0;
  std::int64_t next_created_ = 1'700'000'000;
  std::atomic<int> waiting_{0};
  std::atomic<int> max_concurrent_unwraps_{0};
  std::atomic<int> successful_unwraps_{0};
};

}  // namespace geoekm::testing
