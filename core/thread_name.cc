#include "core/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace geoekm {

void NameThisThread(const char* name) {
  // pthread_setname_np refuses names over 15 characters instead of cutting them.
  const std::string cut(name, std::min<std::size_t>(std::strlen(name), 15));
  pthread_setname_np(pthread_self(), cut.c_str());  // a name is cosmetic: failure changes nothing
}

}  // namespace geoekm
