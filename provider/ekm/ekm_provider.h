// EkmProvider: what the SQL Crypto API functions do, in C++ terms — one
// loaded vault set (its VaultSetRuntime: router, state store, event log)
// answering the engine's questions: is this credential ours, which key
// version is this name / thumbprint / key id, wrap and unwrap a DEK.
// The C ABI layer (sql_crypt_exports.cc) checks the engine's pointers and
// buffers and converts to and from these values (docs/ARCHITECTURE.md
// §EKM ABI).
//
// Key versions are named by the raw 32-byte SHA-256 of their RFC 7638
// thumbprint (§Thumbprint); key ids are derived from it, so they are stable
// across restarts and processes.
//
// Thread safety: all methods may be called concurrently; the runtime is
// shared by every session of the process.
#pragma once

#include <Poco/Logger.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/secure_bytes.h"
#include "provider/runtime/vault_set_runtime.h"

namespace geoekm::ekm {

inline constexpr std::size_t kThumbLen = 32;
using RawThumbprint = std::array<std::uint8_t, kThumbLen>;

// One key version as the engine sees it.
struct EkmKeyInfo {
  std::string key_name;    // as configured
  std::string thumbprint;  // RFC 7638, base64url (43 characters)
  RawThumbprint raw{};     // the same, decoded: what the engine stores
  int size_bits = 0;
  std::uint32_t key_id = 0;  // non-zero, derived from `raw`
};

// The engine's algorithm id for an RSA modulus size, 0 when not enumerated.
std::uint32_t AlgorithmIdForBits(int bits);
// The key id of a thumbprint: its first four bytes, big-endian, never 0.
std::uint32_t KeyIdOf(const RawThumbprint& raw);
// The key info of a version from its base64url thumbprint and size; fails
// for a thumbprint that is not 32 bytes or a size that is not enumerated.
Result<EkmKeyInfo> MakeKeyInfo(const std::string& key_name, const std::string& thumbprint, int size_bits);

class EkmProvider {
 public:
  // Loads the configuration file and opens its runtime. Failures carry the
  // configuration's code (5001, 2050) or the runtime's.
  static Result<std::unique_ptr<EkmProvider>> Open(const std::string& config_path);
  ~EkmProvider();

  const VaultSetConfig& config() const { return runtime_->config(); }
  VaultSetRuntime& runtime() { return *runtime_; }
  Poco::Logger& logger() const;

  // The engine's credential (README "Use it with SQL Server"): `name` must be
  // the set name; `password` empty (the configuration holds the credential)
  // or `<client id without hyphens><client secret>` matching the
  // configuration. Failures are AuthFailure-class Statuses with the
  // connector's code (3900 wrong identity, 2050 too short, 3303 wrong secret).
  Status Authenticate(std::string_view name, const SecureString& password) const;

  // `name` or `name/<version id>`.
  Result<EkmKeyInfo> KeyByName(std::string_view name);
  Result<EkmKeyInfo> KeyByThumbprint(const RawThumbprint& raw);
  // Key ids in increasing order: the smallest known one above `after`.
  Result<std::uint32_t> NextKeyId(std::uint32_t after);
  Result<EkmKeyInfo> KeyById(std::uint32_t id);

  // Wrap with exactly this version (invariant 3 holds: the router records it).
  Result<Bytes> Encrypt(const EkmKeyInfo& key, const SecureBytes& plaintext);
  // Unwrap with the configured algorithm, then the other accepted one.
  Result<SecureBytes> Decrypt(const EkmKeyInfo& key, const Bytes& ciphertext);

 private:
  explicit EkmProvider(std::unique_ptr<VaultSetRuntime> runtime);
  Deadline NewDeadline() const;
  // The configured spelling of a key name (Key Vault names are
  // case-insensitive), or nullopt.
  std::optional<std::string> ConfiguredKey(std::string_view name) const;
  Result<EkmKeyInfo> InfoFromBundle(const KeyBundle& bundle, const std::string& key_name);
  Result<EkmKeyInfo> Remember(EkmKeyInfo info);
  // Every key version known: the recorded history of the configured keys
  // and their current versions, by key id.
  std::map<std::uint32_t, EkmKeyInfo> KnownVersions();

  std::unique_ptr<VaultSetRuntime> runtime_;
  WrapAlgorithm configured_alg_ = WrapAlgorithm::kRsaOaep256;
  mutable std::mutex mu_;
  std::map<std::string, EkmKeyInfo> by_thumbprint_;  // base64url thumbprint -> info
};

}  // namespace geoekm::ekm
