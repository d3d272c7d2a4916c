#include "core/random_uuid.h"

#include <openssl/rand.h>

#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>

namespace geoekm {

std::string RandomUuid() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Poco::UUIDGenerator::defaultGenerator().createRandom().toString();  // OpenSSL failed: Poco's source
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4 (random)
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  Poco::UUID uuid;
  uuid.copyFrom(reinterpret_cast<const char*>(bytes));
  return uuid.toString();
}

}  // namespace geoekm
