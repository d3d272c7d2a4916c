#include "provider/ekm/ekm_process.h"

#include <Poco/Message.h>

#include <cstdlib>

#include "core/error_codes.h"
#include "provider/runtime/log_setup.h"

namespace geoekm::ekm {
namespace {

// Lines of a process whose configuration could not be loaded (it cannot
// name its log file) go to stderr under this name.
constexpr const char* kUnconfiguredSetName = "geoekm-ekm";

std::string ConfigPath() {
  const char* path = std::getenv(kConfigEnvironmentVariable);
  return path != nullptr && *path != '\0' ? std::string(path) : std::string(kDefaultConfigPath);
}

Status NotInitialized() {
  return Status(codes::kProviderError, ErrorClass::kInternal,
                "the provider is not initialized (SqlCryptInitializeProvider has not succeeded)");
}

std::string OneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

EkmProcess& EkmProcess::Instance() {
  // Destroyed when the library is unloaded (or at exit): whatever the
  // engine did not free is released then, so an unload leaks nothing.
  static EkmProcess instance;
  return instance;
}

EkmProcess::~EkmProcess() { Free(); }

Status EkmProcess::Initialize() {
  std::lock_guard lock(mu_);
  if (provider_) return Status::Ok();
  const std::string path = ConfigPath();
  auto opened = EkmProvider::Open(path);
  if (!opened.ok()) {
    failure_ = Status(codes::kProviderError, ErrorClass::kInternal,
                      "the configuration " + path + " (from " + kConfigEnvironmentVariable + ", else " +
                          kDefaultConfigPath + ") could not be loaded: " + opened.status().ToString());
    set_name_.clear();
    return Status(opened.status().code() == 0 ? codes::kProviderError : opened.status().code(),
                  ErrorClass::kInternal, failure_.message());
  }
  provider_ = std::move(opened).value();
  set_name_ = provider_->config().provider.set_name;
  failure_ = Status();
  return Status::Ok();
}

void EkmProcess::Free() {
  std::shared_ptr<EkmProvider> provider;
  std::map<std::uintptr_t, std::shared_ptr<EkmSession>> sessions;
  {
    std::lock_guard lock(mu_);
    provider = std::move(provider_);
    sessions.swap(sessions_);
    provider_.reset();
    failure_ = NotInitialized();
  }
  // Destroyed outside the lock: the runtime joins its threads.
  sessions.clear();
  provider.reset();
}

Result<std::shared_ptr<EkmProvider>> EkmProcess::Provider() const {
  std::lock_guard lock(mu_);
  if (provider_) return provider_;
  return failure_.ok() ? NotInitialized() : failure_;
}

Result<std::shared_ptr<EkmSession>> EkmProcess::Session(const void* handle) const {
  std::lock_guard lock(mu_);
  if (!provider_) return failure_.ok() ? NotInitialized() : failure_;
  auto it = sessions_.find(reinterpret_cast<std::uintptr_t>(handle));
  if (it == sessions_.end()) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput, "unknown or closed session handle");
  }
  return it->second;
}

void* EkmProcess::AddSession(std::shared_ptr<EkmSession> session) {
  std::lock_guard lock(mu_);
  const std::uintptr_t handle = next_handle_++;
  sessions_.emplace(handle, std::move(session));
  return reinterpret_cast<void*>(handle);
}

bool EkmProcess::RemoveSession(const void* handle) {
  std::shared_ptr<EkmSession> removed;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(reinterpret_cast<std::uintptr_t>(handle));
  if (it == sessions_.end()) return false;
  sessions_.erase(it);
  return true;
}

Poco::Logger& EkmProcess::Logger(const std::string& set_name) {
  if (!set_name.empty()) return EventLogger(set_name);
  static const bool stderr_ready = [] {
    ProviderConfig unconfigured;
    unconfigured.set_name = kUnconfiguredSetName;
    return SetUpLogging(unconfigured).ok();
  }();
  (void)stderr_ready;
  return EventLogger(kUnconfiguredSetName);
}

void EkmProcess::LogFailure(const char* function, int scp_code, const Status& detail) {
  std::string set_name;
  {
    std::lock_guard lock(mu_);
    set_name = set_name_;
  }
  // Logged without the lock: a slow log never holds up other engine threads.
  Poco::Logger& logger = Logger(set_name);
  if (!logger.warning()) return;
  const int code = detail.code() != 0 ? detail.code() : scp_code;
  std::string line = std::string("ekm-call fn=") + function + " result=" + std::to_string(scp_code) +
                     " error=" + std::to_string(code);
  if (auto text = codes::Describe(code); !text.empty()) line += " (" + std::string(text) + ")";
  line += " reason=\"" + OneLine(detail.ToString()) + "\"";
  Poco::Message message(logger.name(), line, Poco::Message::PRIO_WARNING);
  message.set("set", set_name.empty() ? std::string(kUnconfiguredSetName) : set_name);
  logger.log(message);
}

}  // namespace geoekm::ekm
