// Helpers for the state store tests: a unique temporary directory removed
// on destruction, deterministic fake RSA public keys (random-looking n, e =
// AQAB) with their real RFC 7638 thumbprints, and an adjustable clock.
//
// Thread safety: TempDir and bundles are plain; FakeClock is atomic.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/base64url.h"
#include "core/jwk_thumbprint.h"
#include "state/state_store.h"
#include "keyvault/keys/key_types.h"

namespace geoekm::state_test {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "geoekm-state-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The whole file as bytes ("" if it cannot be read).
inline std::string ReadFileBytes(const std::string& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[8192];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

inline std::string Hex32(std::uint64_t seed) {
  static const char* digits = "0123456789abcdef";
  std::mt19937_64 rng(seed);
  std::string out;
  for (int i = 0; i < 32; ++i) out += digits[rng() % 16];
  return out;
}

// A 2048-bit "RSA" public key bundle as a vault would return it; the same
// seed always gives the same material (and thumbprint).
inline KeyBundle MakeBundle(const std::string& key_name, std::uint64_t seed, const std::string& vault_host = "v1",
                            std::int64_t created = 1'700'000'000) {
  std::mt19937_64 rng(seed * 7919 + 17);
  std::string n(256, '\0');
  for (auto& c : n) c = static_cast<char>(rng() & 0xff);
  n[0] = static_cast<char>(n[0] | 0x80);
  KeyBundle b;
  b.name = key_name;
  b.version = Hex32(seed);
  b.kid = "https://" + vault_host + ".vault.azure.net/keys/" + key_name + "/" + b.version;
  b.kty = "RSA";
  b.n = Base64UrlEncode(n);
  b.e = "AQAB";
  b.key_size_bits = 2048;
  b.key_ops = {"wrapKey", "unwrapKey"};
  b.attributes.enabled = true;
  b.attributes.created = created;
  auto tp = RsaJwkThumbprint(b.kty, b.n, b.e);
  EXPECT_TRUE(tp.ok());
  if (tp.ok()) b.thumbprint = *tp;
  return b;
}

// The same version as listed by another vault: same material, other kid.
inline KeyBundle InVault(KeyBundle b, const std::string& vault_host, std::uint64_t version_seed) {
  b.version = Hex32(version_seed);
  b.kid = "https://" + vault_host + ".vault.azure.net/keys/" + b.name + "/" + b.version;
  return b;
}

struct FakeClock {
  std::shared_ptr<std::atomic<std::int64_t>> now_ms = std::make_shared<std::atomic<std::int64_t>>(1'750'000'000'000);
  std::function<std::int64_t()> fn() const {
    auto p = now_ms;
    return [p] { return p->load(); };
  }
  void Advance(std::int64_t ms) { *now_ms += ms; }
};

inline std::vector<VaultRecord> TwoVaults() {
  VaultRecord a{"eastus", "https://v1.vault.azure.net", "eastus", "US", 1, {}, {}};
  VaultRecord b{"westus", "https://v2.vault.azure.net", "westus", "US", 2, {}, {}};
  return {a, b};
}

// A gate for StateStoreOptions::on_commit: while closed, every commit of the
// store waits in it, so a test can hold a commit open and observe who waits.
class CommitGate {
 public:
  std::function<void()> hook() {
    return [this] {
      std::unique_lock lock(mu_);
      ++in_commit_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return open_; });
      --in_commit_;
      ++commits_;
      changed_.notify_all();
    };
  }
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  // Waits (up to 10 s) until a commit is held in the gate.
  bool WaitForHeldCommit() {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [this] { return in_commit_ > 0; });
  }
  bool commit_held() const {
    std::lock_guard lock(mu_);
    return in_commit_ > 0;
  }
  int commits() const {
    std::lock_guard lock(mu_);
    return commits_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool open_ = true;
  int in_commit_ = 0;
  int commits_ = 0;
};

inline std::unique_ptr<StateStore> OpenOrDie(StateStoreOptions options) {
  auto store = StateStore::Open(std::move(options));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store.value());
}

}  // namespace geoekm::state_test
