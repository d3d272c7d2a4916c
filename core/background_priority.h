// GiveWayToCallers: lowers the calling thread's CPU priority (its Linux
// nice value, which is per thread) by kBackgroundNiceness, so that a thread
// doing background work gives way to the threads serving calls when every
// CPU is busy. With a CPU to spare it changes nothing.
//
// geoekm's state writer runs so (state/state_writer.h): its batched
// commits used to land, now and then, on the core a caller or the vault's
// answer needed, and showed as a tail in the router's latency that direct
// calls did not have (docs/PERFORMANCE.md). The price: when every CPU is
// busy, the writer gets about a tenth of a CPU against each busy thread, so
// the one write a caller waits for (the first wrap of a key version) may
// take longer then.
//
// Thread safety: changes only the calling thread. A thread cannot take the
// priority back without privileges; it ends with the thread.
#pragma once

namespace geoekm {

inline constexpr int kBackgroundNiceness = 10;

// False (and nothing changed) when the kernel refuses.
bool GiveWayToCallers();

}  // namespace geoekm
