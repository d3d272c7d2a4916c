#include "provider/drill/router_key_path.h"

namespace geoekm {
namespace {

class RouterCaller : public DrillKeyCaller {
 public:
  RouterCaller(VaultSetRuntime& rt, std::string key_name, std::string thumbprint)
      : rt_(rt),
        key_name_(std::move(key_name)),
        thumbprint_(std::move(thumbprint)),
        algorithm_(rt_.config().provider.wrap_algorithm) {}

  Result<Bytes> Wrap(const SecureBytes& dek) override {
    auto wrapped = rt_.router().WrapVersion(key_name_, thumbprint_, algorithm_, dek, NewDeadline());
    if (!wrapped.ok()) return wrapped.status();
    return std::move(wrapped->wrapped);
  }

  Result<SecureBytes> Unwrap(const Bytes& wrapped) override {
    UnwrapRequest request;
    request.key_name = key_name_;
    request.thumbprint = thumbprint_;
    request.algorithm = algorithm_;
    request.wrapped = wrapped;
    return rt_.router().Unwrap(request, NewDeadline());
  }

 private:
  Deadline NewDeadline() const { return Deadline::After(rt_.config().router.operation_deadline); }

  VaultSetRuntime& rt_;
  const std::string key_name_;
  const std::string thumbprint_;
  WrapAlgorithm algorithm_;
};

}  // namespace

Result<DrillKeyVersion> RouterKeyPath::OpenKey(const std::string& key_name) {
  auto current = rt_.router().CurrentVersion(key_name, Deadline::After(rt_.config().router.operation_deadline));
  if (!current.ok()) return current.status();
  key_name_ = key_name;
  version_ = DrillKeyVersion{current->thumbprint, current->key_size_bits};
  return version_;
}

Result<std::unique_ptr<DrillKeyCaller>> RouterKeyPath::NewCaller() {
  return std::unique_ptr<DrillKeyCaller>(new RouterCaller(rt_, key_name_, version_.thumbprint));
}

std::optional<VaultHealthState> RouterKeyPath::HealthOf(const std::string& vault) {
  return rt_.router().HealthOf(vault);
}

Status RouterKeyPath::Finish() {
  (void)rt_.store();  // flushes the recorder's writer: the drill's events are readable
  return rt_.store().FlushAudit();
}

}  // namespace geoekm
