// KeysApi: the keys data-plane operations of one simulated vault (create,
// import, get, list, update, rotate, backup/restore, soft delete, recover,
// purge, encrypt/decrypt/wrap/unwrap) with the service's semantics and
// error bodies. Authentication, permissions, throttling and faults happen
// before it (VaultPipeline); KeysApi sees only authorised requests.
//
// Thread safety: Handle() may be called concurrently; state lives in the
// KeyStore (locked), expensive RSA work runs outside the lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "vaultsim/api_message.h"
#include "vaultsim/key_store.h"
#include "vaultsim/keys_route.h"
#include "vaultsim/vault_config.h"

namespace geoekm::vaultsim {

// What the throttling table needs to know about a request's key.
struct KeyClass {
  bool hsm = false;
  int bits = 2048;
};

class KeysApi {
 public:
  // base_url: "https://<host>:<port>", fixed once the port is known.
  KeysApi(const VaultConfig& config, KeyStore* store, std::string base_url);

  ApiResponse Handle(const KeysRoute& route, const ApiRequest& request, const std::string& api_version);

  // The class of the key a request targets (create/import: the requested
  // one), or nullopt when the request names no existing key.
  std::optional<KeyClass> TargetKeyClass(const KeysRoute& route, const ApiRequest& request) const;

  // Admin: change enabled/nbf/exp of one version (empty = latest) without
  // going through the data plane. Body as README.md.
  ApiResponse SetAttributes(const std::string& name, const std::string& version, const std::string& body);

 private:
  ApiResponse Create(const KeysRoute& route, const ApiRequest& request);
  ApiResponse Import(const KeysRoute& route, const ApiRequest& request);
  ApiResponse Get(const KeysRoute& route);
  ApiResponse List(const ApiRequest& request, const std::string& api_version, bool deleted);
  ApiResponse ListVersions(const KeysRoute& route, const ApiRequest& request, const std::string& api_version);
  ApiResponse Update(const KeysRoute& route, const ApiRequest& request);
  ApiResponse Rotate(const KeysRoute& route);
  ApiResponse Backup(const KeysRoute& route);
  ApiResponse Restore(const ApiRequest& request);
  ApiResponse Delete(const KeysRoute& route);
  ApiResponse GetDeleted(const KeysRoute& route);
  ApiResponse Recover(const KeysRoute& route);
  ApiResponse Purge(const KeysRoute& route);
  ApiResponse Crypto(const KeysRoute& route, const ApiRequest& request);

  // Adds a new version under `name` (creating the key); 409 when the name
  // is soft-deleted.
  ApiResponse AddVersion(const std::string& name, KeyVersion version);

  const VaultConfig& config_;
  KeyStore* const store_;
  const std::string base_;
};

}  // namespace geoekm::vaultsim
