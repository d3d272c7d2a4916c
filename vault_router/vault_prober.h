// VaultProber: brings ejected vaults back. A vault whose probe is due (see
// vault_health.h: ejected for long enough, or probing) is probed — GetKey of
// the first probe key (kid checked, material compared with what the catalog
// holds: a changed version quarantines the vault) and a canary wrap/unwrap
// of 32 random bytes with that version — and the health judges the result
// (failback to healthy, or ejected again for longer).
//
// With background probing (RouterOptions::background_probing) one prober
// thread, started by the constructor, looks for due probes every
// probe_interval / 4 (10–250 ms) and runs them on the router's
// BoundedExecutor (on its own thread when the executor refuses);
// RunDueProbes() probes on the calling thread.
//
// Thread safety: RunDueProbes may be called concurrently with itself and
// with the prober thread (a vault's probe is begun at most once:
// VaultHealth::BeginProbeIfDue). Stop() (also run by the destructor; not
// concurrently with itself) joins the prober thread; probes already handed
// to the executor keep running and use the prober, so the executor must be
// shut down before the prober, the VaultSet and the resolver are destroyed.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "vault_router/bounded_executor.h"
#include "vault_router/key_resolver.h"
#include "vault_router/vault_set.h"

namespace geoekm {

class VaultProber {
 public:
  VaultProber(VaultSet& vaults, KeyResolver& resolver, BoundedExecutor& executor);
  ~VaultProber();
  VaultProber(const VaultProber&) = delete;
  VaultProber& operator=(const VaultProber&) = delete;

  // Probes every vault whose probe is due, on the calling thread.
  void RunDueProbes();
  // Stops and joins the prober thread (if any); idempotent.
  void Stop();

 private:
  Status Probe(std::size_t v);
  void ProberLoop();

  VaultSet& vaults_;
  KeyResolver& resolver_;
  BoundedExecutor& executor_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace geoekm
