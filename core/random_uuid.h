// RandomUuid: a version-4 UUID ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") from
// OpenSSL's CSPRNG, for request ids (x-ms-client-request-id) and token ids.
// Poco::UUIDGenerator::createRandom opens, reads and closes /dev/urandom for
// every UUID — three system calls on each vault request. Each thread draws
// random bytes for 64 ids at a time; a forked child draws its own.
//
// Thread safety: may be called from any thread.
#pragma once

#include <string>

namespace geoekm {

std::string RandomUuid();

}  // namespace geoekm
