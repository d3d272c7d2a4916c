// EkmSession: one SqlCryptOpenSession — a cheap handle on the process's
// provider, plus the last unwrap whose answer did not fit the engine's
// buffer, so that the engine's retry with a bigger buffer is answered
// without a second vault call (docs/ARCHITECTURE.md §EKM ABI).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "core/secure_bytes.h"
#include "provider/ekm/ekm_provider.h"

namespace geoekm::ekm {

class EkmSession {
 public:
  explicit EkmSession(std::shared_ptr<EkmProvider> provider) : provider_(std::move(provider)) {}

  EkmProvider& provider() const { return *provider_; }

  // Keeps an unwrapped DEK for the engine's retry (one per session).
  void Stash(const RawThumbprint& thumb, const Bytes& ciphertext, SecureBytes plaintext) {
    std::lock_guard lock(mu_);
    stash_ = Stashed{thumb, ciphertext, std::move(plaintext)};
  }
  // The stashed DEK when it answers exactly this request; it is handed out once.
  std::optional<SecureBytes> TakeStashed(const RawThumbprint& thumb, const Bytes& ciphertext) {
    std::lock_guard lock(mu_);
    if (!stash_ || stash_->thumb != thumb || stash_->ciphertext != ciphertext) return std::nullopt;
    SecureBytes out = std::move(stash_->plaintext);
    stash_.reset();
    return out;
  }

 private:
  struct Stashed {
    RawThumbprint thumb;
    Bytes ciphertext;
    SecureBytes plaintext;
  };
  std::shared_ptr<EkmProvider> provider_;
  std::mutex mu_;
  std::optional<Stashed> stash_;
};

}  // namespace geoekm::ekm
