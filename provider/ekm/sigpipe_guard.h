// SigpipeGuard: keeps SIGPIPE from reaching the engine's process during one
// SQL Crypto API call (docs/ARCHITECTURE.md §EKM ABI: no signal crosses the
// ABI). A write to a vault connection the peer has reset raises SIGPIPE,
// whose default action ends the process — SQL Server's. While a guard
// lives, SIGPIPE is blocked on the calling thread; one raised meanwhile is
// consumed before the mask is restored. Threads started during the call
// (the router's workers, started by SqlCryptInitializeProvider) inherit the
// blocked mask, so they never take one either. A library must not change
// the process-wide disposition, hence a per-thread mask.
//
// On Windows there is no SIGPIPE: the guard does nothing.
//
// Thread safety: one guard per call, on the calling thread's stack.
#pragma once

#include <memory>

namespace geoekm::ekm {

class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

}  // namespace geoekm::ekm
