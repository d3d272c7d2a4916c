#include "vault_router/vault_prober.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "core/error_codes.h"
#include "core/secure_bytes.h"
#include "core/thread_name.h"

namespace geoekm {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

VaultProber::VaultProber(VaultSet& vaults, KeyResolver& resolver, BoundedExecutor& executor)
    : vaults_(vaults), resolver_(resolver), executor_(executor) {
  if (vaults_.options().background_probing) thread_ = std::thread([this] {
      NameThisThread("geoekm-prober");
      ProberLoop();
    });
}

VaultProber::~VaultProber() { Stop(); }

void VaultProber::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status VaultProber::Probe(std::size_t v) {
  const RouterOptions& options = vaults_.options();
  KeyVaultKeys& ops = *vaults_[v].ops;
  const Deadline deadline = Deadline::After(options.tuning.try_timeout);
  const auto started = Clock::now();
  Status status = [&]() -> Status {
    if (options.probe_key_names.empty()) {
      return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "no key name to probe with");
    }
    const std::string& name = options.probe_key_names.front();
    Result<KeyBundle> bundle = resolver_.ProbeKey(v, name, deadline);
    if (!bundle.ok()) return bundle.status();
    SecureBytes canary(32);
    if (RAND_bytes(canary.data(), static_cast<int>(canary.size())) != 1) {
      return Status(codes::kProviderError, ErrorClass::kInternal, "no random bytes for the probe canary");
    }
    Result<Bytes> wrapped = ops.WrapKey(name, bundle->version, options.canary_algorithm, canary, deadline);
    if (!wrapped.ok()) return wrapped.status();
    Result<SecureBytes> unwrapped =
        ops.UnwrapKey(name, bundle->version, options.canary_algorithm, *wrapped, deadline);
    if (!unwrapped.ok()) return unwrapped.status();
    if (unwrapped->size() != canary.size() || CRYPTO_memcmp(unwrapped->data(), canary.data(), canary.size()) != 0) {
      return Status(codes::kKeyMaterialMismatch, ErrorClass::kIntegrity, "probe canary did not unwrap to itself");
    }
    return Status::Ok();
  }();
  const auto latency = duration_cast<milliseconds>(Clock::now() - started);
  vaults_.RecordProbe(v, options.probe_key_names.empty() ? "" : options.probe_key_names.front(), status, latency);
  return status;
}

void VaultProber::RunDueProbes() {
  std::vector<std::size_t> due;
  for (std::size_t v = 0; v < vaults_.size(); ++v) {
    std::optional<VaultHealthEvent> event;
    if (vaults_[v].health->BeginProbeIfDue(vaults_.Now(), &event)) due.push_back(v);
    vaults_.Publish(event);
  }
  for (std::size_t v : due) (void)Probe(v);
}

void VaultProber::ProberLoop() {
  const auto period =
      std::clamp(vaults_.options().tuning.probe_interval / 4, milliseconds(10), milliseconds(250));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    for (std::size_t v = 0; v < vaults_.size(); ++v) {
      std::optional<VaultHealthEvent> event;
      if (!vaults_[v].health->BeginProbeIfDue(vaults_.Now(), &event)) continue;
      vaults_.Publish(event);
      if (!executor_.Submit([this, v] { (void)Probe(v); })) (void)Probe(v);
    }
    lock.lock();
    cv_.wait_for(lock, period, [this] { return stopping_; });
  }
}

}  // namespace geoekm
