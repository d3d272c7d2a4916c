// NameThisThread: gives the calling thread a name the operating system
// shows (top -H, ps -L, /proc/<pid>/task/<tid>/comm, debuggers), so an
// operator can tell geoekm's threads apart from the host's (SQL Server's)
// and see which of them spends CPU: "geoekm-worker", "geoekm-writer",
// "geoekm-clock", "geoekm-hedges", "geoekm-prober". Linux keeps at most 15
// characters; longer names are cut.
//
// Thread safety: names only the calling thread.
#pragma once

namespace geoekm {

void NameThisThread(const char* name);

}  // namespace geoekm
