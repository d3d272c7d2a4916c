// EkmProcess: the provider state of the whole process behind the SQL Crypto
// API — at most one loaded EkmProvider (configuration from GEOEKM_CONFIG,
// else /etc/geoekm/geoekm.ini, read by SqlCryptInitializeProvider), the
// open sessions by handle, and the log every failed call writes one line
// to (docs/ARCHITECTURE.md §EKM ABI).
//
// Session handles are numbers, never pointers, so a stale or forged handle
// from the engine is an unknown number, not a dangling object.
// Free() drops the provider and every session; a call still running keeps
// the runtime alive until it returns. Initialize() after Free() loads the
// configuration again.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <Poco/Logger.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "provider/ekm/ekm_provider.h"
#include "provider/ekm/ekm_session.h"
#include "provider/ekm/sql_crypt_api.h"

namespace geoekm::ekm {

inline constexpr const char* kConfigEnvironmentVariable = GEOEKM_CONFIG_ENV;
inline constexpr const char* kDefaultConfigPath = "/etc/geoekm/geoekm.ini";

class EkmProcess {
 public:
  // The one instance, destroyed when the library is unloaded.
  static EkmProcess& Instance();
  ~EkmProcess();

  // Loads the configuration and opens the runtime unless already loaded.
  Status Initialize();
  void Free();

  // The loaded provider, or why there is none (ProviderError).
  Result<std::shared_ptr<EkmProvider>> Provider() const;
  Result<std::shared_ptr<EkmSession>> Session(const void* handle) const;
  void* AddSession(std::shared_ptr<EkmSession> session);
  bool RemoveSession(const void* handle);

  // One line for a failed call: the function, the engine's code, the
  // connector's code with its description and the reason.
  void LogFailure(const char* function, int scp_code, const Status& detail);

 private:
  EkmProcess() = default;
  // The set's logger, or stderr's while no configuration is loaded.
  static Poco::Logger& Logger(const std::string& set_name);

  mutable std::mutex mu_;
  std::shared_ptr<EkmProvider> provider_;
  Status failure_;  // why provider_ is null
  std::string set_name_;
  std::map<std::uintptr_t, std::shared_ptr<EkmSession>> sessions_;
  std::uintptr_t next_handle_ = 1;
};

}  // namespace geoekm::ekm
