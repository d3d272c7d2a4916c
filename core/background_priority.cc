#include "core/background_priority.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace geoekm {

bool GiveWayToCallers() {
  // PRIO_PROCESS with a thread id names that one thread on Linux.
  const id_t self = static_cast<id_t>(gettid());
  errno = 0;
  const int now = getpriority(PRIO_PROCESS, self);  // -1 is a valid value: errno tells
  if (now == -1 && errno != 0) return false;
  return setpriority(PRIO_PROCESS, self, std::min(now + kBackgroundNiceness, 19)) == 0;
}

}  // namespace geoekm
