#include "core/random_uuid.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>

#include <atomic>
#include <cstddef>

namespace geoekm {
namespace {

// Bumped in a forked child, so that the child never hands out the random
// bytes its parent has yet to use (the two would send the same ids).
std::atomic<unsigned> fork_generation{0};
void OnForkInChild() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Random bytes for the next 64 ids of this thread: one RAND_bytes call per
// 64 ids instead of one per id (each costs a lock and a getpid system call in
// OpenSSL's fork check). Ids are not secrets. Trivially destructible, so a
// thread of a host that unloads the library runs no destructor of ours.
struct IdBytes {
  unsigned char bytes[16 * 64];
  std::size_t used = sizeof bytes;
  unsigned generation = 0;
};

}  // namespace

std::string RandomUuid() {
  [[maybe_unused]] static const int registered = pthread_atfork(nullptr, nullptr, OnForkInChild);
  thread_local IdBytes pool;
  const unsigned generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.used + 16 > sizeof pool.bytes || pool.generation != generation) {
    if (RAND_bytes(pool.bytes, sizeof pool.bytes) != 1) {
      pool.used = sizeof pool.bytes;
      return Poco::UUIDGenerator::defaultGenerator().createRandom().toString();  // OpenSSL failed: Poco's source
    }
    pool.used = 0;
    pool.generation = generation;
  }
  unsigned char* bytes = pool.bytes + pool.used;
  pool.used += 16;
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4 (random)
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  Poco::UUID uuid;
  uuid.copyFrom(reinterpret_cast<const char*>(bytes));
  return uuid.toString();
}

}  // namespace geoekm
