// LibraryKeyPath: the drill's key path through libgeoekm-ekm.so, as SQL
// Server uses it (`geoekm drill`, the README's main job): the library is
// dlopen'ed and its 17 functions resolved as the engine does
// (provider/ekm/sql_crypt_functions.h; a missing one is Msg 33085 with its
// state), GEOEKM_CONFIG names the drill's configuration, and every key
// operation is an ABI call — SqlCryptInitializeProvider, SqlCryptOpenSession
// with the vault set's name and an empty password (the configuration holds
// the credential), SqlCryptGetKeyInfoByName, then per DEK SqlCryptEncrypt,
// and for a "database start-up" SqlCryptGetKeyInfoByThumb and
// SqlCryptDecrypt, each with the engine's two-call buffer protocol (a first
// call with no buffer learns the size). Each caller is an engine thread with
// a session of its own.
//
// The library runs its own runtime (router, state writer) behind the ABI;
// this process never touches it otherwise. The drill reads what that
// runtime recorded from a second StateStore connection on the same file
// (the store admits several openers: WAL readers run beside its one writer
// thread) and only reads through it. Health is the vault's health as last
// recorded there; after Finish (SqlCryptFreeProvider: the library's writer
// is drained and its store closed) every audit row of the drill is there.
//
// The library stays loaded after Finish (never dlclose'd: SQL Server keeps
// a provider loaded until it stops, and the library's process state is
// released at exit). GEOEKM_CONFIG is restored by Finish.
//
// Thread safety: as DrillKeyPath. Open sets an environment variable:
// call it before other threads of this process read the environment.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/vault_set_config.h"
#include "provider/drill/drill_key_path.h"
#include "provider/ekm/sql_crypt_functions.h"

namespace geoekm {

class LibraryKeyPath : public DrillKeyPath {
 public:
  // `config_path` is the file `config` was loaded from: the library loads it again.
  static Result<std::unique_ptr<LibraryKeyPath>> Open(const std::string& library_path,
                                                      const std::string& config_path,
                                                      const VaultSetConfig& config);
  ~LibraryKeyPath() override;  // Finish() unless done

  std::string description() const override;
  Result<DrillKeyVersion> OpenKey(const std::string& key_name) override;
  Result<std::unique_ptr<DrillKeyCaller>> NewCaller() override;
  std::optional<VaultHealthState> HealthOf(const std::string& vault) override;
  Status Finish() override;
  StateStore& store() override { return *store_; }
  std::optional<StateWriterStats> writer_stats() const override { return std::nullopt; }

 private:
  LibraryKeyPath() = default;

  std::string library_path_;
  std::string set_name_;
  SqlCryptFunctions api_{};
  std::optional<std::string> previous_config_env_;
  bool env_set_ = false;
  bool initialized_ = false;
  SqlCpSession session_ = nullptr;
  std::array<std::uint8_t, GEOEKM_KEY_THUMB_LEN> thumb_{};
  std::unique_ptr<StateStore> store_;
};

}  // namespace geoekm
