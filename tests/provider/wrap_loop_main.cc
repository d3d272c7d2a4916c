// wrap_loop: a test helper process for the crash test. Opens the vault set
// of CONFIG through the real runtime and wraps random DEKs forever; after
// each wrap returns it appends "<dek> <wrapped> <thumbprint>" (base64url) to
// OUT. The parent SIGKILLs it at random moments. The DEKs are random test
// data, which is why printing them is acceptable here and nowhere else.
#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "config/config_loader.h"
#include "core/base64url.h"
#include "provider/runtime/vault_set_runtime.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: wrap_loop CONFIG OUT\n");
    return 2;
  }
  auto config = geoekm::LoadVaultSetConfig(argv[1]);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto runtime = geoekm::VaultSetRuntime::Open(*config);
  if (!runtime.ok()) {
    std::fprintf(stderr, "%s\n", runtime.status().ToString().c_str());
    return 1;
  }
  int fd = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) return 1;
  const std::string key = config->provider.key_names.front();
  for (;;) {
    geoekm::SecureBytes dek(32);
    if (RAND_bytes(dek.data(), static_cast<int>(dek.size())) != 1) {
      std::fprintf(stderr, "OpenSSL RAND_bytes failed\n");
      return 1;
    }
    auto wrapped = (*runtime)->router().Wrap(key, geoekm::WrapAlgorithm::kRsaOaep256, dek,
                                             geoekm::Deadline::After(std::chrono::seconds(20)));
    if (!wrapped.ok()) {
      std::fprintf(stderr, "%s\n", wrapped.status().ToString().c_str());
      continue;
    }
    // Leading newline: a record torn by the previous process's kill never
    // runs into this one.
    std::string line = "\n" + geoekm::Base64UrlEncode(dek) + " " + geoekm::Base64UrlEncode(wrapped->wrapped) + " " +
                       wrapped->thumbprint + "\n";
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
  }
}
