#include "tests/router/fake_key_vault.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/error_codes.h"
#include "vault_router/deadline_wait.h"

namespace geoekm::testing {

namespace {

std::string RandomVersionId() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) std::abort();  // test set-up; no error channel
  char hex[33];
  for (int i = 0; i < 16; ++i) std::snprintf(hex + 2 * i, 3, "%02x", raw[i]);
  return std::string(hex, 32);
}


Status NotFound(const std::string& what) {
  return Status(codes::kHttpNotFound, ErrorClass::kNotFound, what + " was not found in this key vault")
      .WithHttp(404, "KeyNotFound", "00000000-0000-0000-0000-000000000404");
}

}  // namespace

Status VaultFailure(ErrorClass cls) {
  switch (cls) {
    case ErrorClass::kTransient:
      return Status(codes::kHttpServerError, cls, "service unavailable").WithHttp(503, "ServiceUnavailable", "");
    case ErrorClass::kThrottled:
      return Status(codes::kHttpThrottled, cls, "too many requests").WithHttp(429, "Throttled", "");
    case ErrorClass::kAuth:
      return Status(codes::kHttpUnauthorized, cls, "unauthorized").WithHttp(401, "Unauthorized", "");
    case ErrorClass::kForbidden:
      return Status(codes::kHttpForbidden, cls, "does not have keys unwrapKey permission")
          .WithHttp(403, "Forbidden", "")
          .WithForbiddenReason(ForbiddenReason::kPermission);
    case ErrorClass::kNotFound: return NotFound("key version");
    case ErrorClass::kBadRequest:
      return Status(codes::kHttpClientError, cls, "bad parameter").WithHttp(400, "BadParameter", "");
    default: return Status(codes::kProviderError, cls, "fake failure");
  }
}

FakeKeyVault::FakeKeyVault(std::string name) : name_(std::move(name)) {}

FakeKeyVault::~FakeKeyVault() { ReleaseAll(); }

std::string FakeKeyVault::AddVersion(const std::string& key_name, std::shared_ptr<const TestRsaKey> material,
                                     std::string version) {
  std::lock_guard lock(mu_);
  if (version.empty()) version = RandomVersionId();
  keys_[key_name].push_back(Version{version, std::move(material), next_created_++});
  return version;
}

void FakeKeyVault::RemoveVersion(const std::string& key_name, const std::string& version) {
  std::lock_guard lock(mu_);
  auto& versions = keys_[key_name];
  versions.erase(std::remove_if(versions.begin(), versions.end(), [&](const Version& v) { return v.id == version; }),
                 versions.end());
}

void FakeKeyVault::ReplaceMaterial(const std::string& key_name, const std::string& version,
                                   std::shared_ptr<const TestRsaKey> material) {
  std::lock_guard lock(mu_);
  for (Version& v : keys_[key_name])
    if (v.id == version) v.material = material;
}

void FakeKeyVault::Fail(FakeOp op, std::optional<Status> failure) {
  std::lock_guard lock(mu_);
  if (failure) failures_[op] = *failure;
  else failures_.erase(op);
}

void FakeKeyVault::FailAll(std::optional<Status> failure) {
  for (FakeOp op : {FakeOp::kGetKey, FakeOp::kList, FakeOp::kWrap, FakeOp::kUnwrap}) Fail(op, failure);
}

void FakeKeyVault::FailNext(FakeOp op, Status failure, int count) {
  std::lock_guard lock(mu_);
  fail_next_[op] = {std::move(failure), count};
}

void FakeKeyVault::SetLatency(FakeOp op, std::chrono::milliseconds latency) {
  std::lock_guard lock(mu_);
  latency_[op] = latency;
}

void FakeKeyVault::SetBlackhole(bool on) {
  {
    std::lock_guard lock(mu_);
    blackhole_ = on;
  }
  cv_.notify_all();
}

void FakeKeyVault::SetMaxConcurrentUnwraps(int n) {
  std::lock_guard lock(mu_);
  max_concurrent_unwraps_limit_ = n;
}

void FakeKeyVault::CloseUnwrapGate() {
  std::lock_guard lock(mu_);
  gate_closed_ = true;
}

void FakeKeyVault::OpenUnwrapGate() {
  {
    std::lock_guard lock(mu_);
    gate_closed_ = false;
  }
  cv_.notify_all();
}

void FakeKeyVault::ReleaseAll() {
  {
    std::lock_guard lock(mu_);
    blackhole_ = false;
    gate_closed_ = false;
    ++release_generation_;
  }
  cv_.notify_all();
}

int FakeKeyVault::calls(FakeOp op) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

// Like the real transport, a call whose deadline's CancelSignal fires (the
// router's race was won elsewhere) returns at once: wakes the waits below.
class FakeKeyVault::CancelWake final : public CancelSignal::Listener {
 public:
  CancelWake(FakeKeyVault& vault, Deadline deadline) : vault_(vault), signal_(deadline.cancel_signal()) {
    if (signal_ && !signal_->Subscribe(this)) signal_ = nullptr;  // already cancelled: the waits see it
  }
  ~CancelWake() {
    if (signal_) signal_->Unsubscribe(this);
  }
  void OnCancel() override {
    { std::lock_guard lock(vault_.mu_); }
    vault_.cv_.notify_all();
  }

 private:
  FakeKeyVault& vault_;
  CancelSignal* signal_;
};

bool FakeKeyVault::Wait(std::chrono::milliseconds d, Deadline deadline) {
  std::unique_lock lock(mu_);
  const auto generation = release_generation_;
  const auto until = std::min(Clock::now() + d, deadline.at());
  WaitUntil(cv_, lock, until, [&] { return release_generation_ != generation || deadline.cancelled(); });
  return !deadline.expired();
}

std::optional<Status> FakeKeyVault::Enter(FakeOp op, Deadline deadline) {
  std::chrono::milliseconds latency{0};
  CancelWake wake(*this, deadline);
  {
    std::unique_lock lock(mu_);
    ++calls_[op];
    if (auto it = latency_.find(op); it != latency_.end()) latency = it->second;
    const auto generation = release_generation_;
    if (blackhole_) {
      WaitUntil(cv_, lock, deadline.at(),
                [&] { return !blackhole_ || release_generation_ != generation || deadline.cancelled(); });
      if (deadline.expired())
        return Status(codes::kHttpSendRequest, ErrorClass::kTransient, "timed out waiting for the vault");
    }
    if (op == FakeOp::kUnwrap && gate_closed_) {
      ++waiting_;
      WaitUntil(cv_, lock, deadline.at(),
                [&] { return !gate_closed_ || release_generation_ != generation || deadline.cancelled(); });
      --waiting_;
      if (deadline.expired())
        return Status(codes::kHttpSendRequest, ErrorClass::kTransient, "timed out waiting for the vault");
    }
  }
  if (latency.count() > 0 && !Wait(latency, deadline)) {
    return Status(codes::kHttpSendRequest, ErrorClass::kTransient, "timed out waiting for the vault");
  }
  std::lock_guard lock(mu_);
  if (auto it = fail_next_.find(op); it != fail_next_.end() && it->second.second > 0) {
    --it->second.second;
    return it->second.first;
  }
  if (auto it = failures_.find(op); it != failures_.end()) return it->second;
  return std::nullopt;
}

std::optional<FakeKeyVault::Version> FakeKeyVault::Find(const std::string& name, const std::string& version) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(name);
  if (it == keys_.end() || it->second.empty()) return std::nullopt;
  if (version.empty()) return it->second.back();
  for (const Version& v : it->second)
    if (v.id == version) return v;
  return std::nullopt;
}

KeyBundle FakeKeyVault::BundleOf(const std::string& name, const Version& v) const {
  KeyBundle b;
  b.kid = "https://" + name_ + ".vault.test/keys/" + name + "/" + v.id;
  b.name = name;
  b.version = v.id;
  b.kty = "RSA";
  b.n = v.material->n();
  b.e = v.material->e();
  b.key_size_bits = 2048;
  b.key_ops = {"wrapKey", "unwrapKey"};
  b.attributes.enabled = true;
  b.attributes.created = v.created;
  return b;  // thumbprint deliberately left empty: the router must compute it
}

Result<KeyBundle> FakeKeyVault::GetKey(const std::string& name, const std::string& version, Deadline deadline) {
  if (auto f = Enter(FakeOp::kGetKey, deadline)) return *f;
  auto v = Find(name, version);
  if (!v) return NotFound("key " + name + "/" + version);
  return BundleOf(name, *v);
}

Result<std::vector<KeyVersionItem>> FakeKeyVault::ListKeyVersions(const std::string& name, Deadline deadline) {
  if (auto f = Enter(FakeOp::kList, deadline)) return *f;
  std::lock_guard lock(mu_);
  auto it = keys_.find(name);
  if (it == keys_.end() || it->second.empty()) return NotFound("key " + name);
  std::vector<KeyVersionItem> out;
  for (const Version& v : it->second) {
    KeyVersionItem item;
    item.kid = "https://" + name_ + ".vault.test/keys/" + name + "/" + v.id;
    item.version = v.id;
    item.attributes.created = v.created;
    out.push_back(item);
  }
  return out;
}

Result<Bytes> FakeKeyVault::WrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                    const SecureBytes& plaintext, Deadline deadline) {
  if (auto f = Enter(FakeOp::kWrap, deadline)) return *f;
  auto v = Find(name, version);
  if (!v) return NotFound("key " + name + "/" + version);
  return v->material->Encrypt(alg, plaintext);
}

Result<SecureBytes> FakeKeyVault::UnwrapKey(const std::string& name, const std::string& version, WrapAlgorithm alg,
                                            const Bytes& wrapped, Deadline deadline) {
  {
    std::lock_guard lock(mu_);
    if (max_concurrent_unwraps_limit_ > 0 && concurrent_unwraps_ >= max_concurrent_unwraps_limit_) {
      ++calls_[FakeOp::kUnwrap];
      return VaultFailure(ErrorClass::kThrottled);
    }
    ++concurrent_unwraps_;
    int seen = max_concurrent_unwraps_.load();
    while (concurrent_unwraps_ > seen && !max_concurrent_unwraps_.compare_exchange_weak(seen, concurrent_unwraps_)) {
    }
  }
  struct Leave {
    FakeKeyVault* self;
    ~Leave() {
      std::lock_guard lock(self->mu_);
      --self->concurrent_unwraps_;
    }
  } leave{this};
  if (auto f = Enter(FakeOp::kUnwrap, deadline)) return *f;
  auto v = Find(name, version);
  if (!v) return NotFound("key " + name + "/" + version);
  Result<SecureBytes> r = v->material->Decrypt(alg, wrapped);
  if (r.ok()) ++successful_unwraps_;
  return r;
}

}  // namespace geoekm::testing
