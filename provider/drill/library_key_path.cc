#include "provider/drill/library_key_path.h"

#include <dlfcn.h>

#include <cstdlib>

#include "core/base64url.h"
#include "core/error_codes.h"

namespace geoekm {
namespace {

using Thumb = std::array<std::uint8_t, GEOEKM_KEY_THUMB_LEN>;

// An ABI answer that is not success, as a Status: the engine's code (the
// connector's code and reason are in the library's log line for the call).
Status Failed(const char* function, SqlCpError rc, const std::string& context = {}) {
  ErrorClass cls = ErrorClass::kInternal;
  switch (rc) {
    case scp_err_NotFound: cls = ErrorClass::kNotFound; break;
    case scp_err_AuthFailure: cls = ErrorClass::kAuth; break;
    case scp_err_InvalidArgument: cls = ErrorClass::kInvalidInput; break;
    case scp_err_Failure: cls = ErrorClass::kTransient; break;
    default: break;
  }
  std::string message = std::string(function) + " returned " + SqlCpErrorName(rc) + " (" +
                         std::to_string(static_cast<int>(rc)) + ")";
  if (!context.empty()) message += " " + context;
  return Status(rc == scp_err_Success ? codes::kProviderError : static_cast<int>(rc), cls,
                message + "; the library's log has the connector's code and reason");
}

// An engine-owned UTF-16 string: `cb` bytes, no terminator.
struct EngineString {
  explicit EngineString(const std::string& ascii) : text(ascii.begin(), ascii.end()) {}
  SqlCpStr str() { return SqlCpStr{static_cast<SqlCpUlong>(text.size() * 2), text.data()}; }
  std::u16string text;
};

// An engine-owned key info: room for a name of 127 + 1 + 64 characters and
// a thumbprint of 64 bytes, as the engine allocates it.
struct EngineKeyInfo {
  EngineKeyInfo() {
    info.name = SqlCpStr{static_cast<SqlCpUlong>(sizeof name), name};
    info.thumb = SqlCpData{static_cast<SqlCpUlong>(sizeof thumb), thumb};
  }
  char16_t name[256]{};
  std::uint8_t thumb[64]{};
  SqlCpKeyInfo info{};
};

int BitsOfAlgorithm(SqlCpAlgId id) {
  switch (id) {
    case GEOEKM_ALG_RSA_2048: return 2048;
    case GEOEKM_ALG_RSA_3072: return 3072;
    case GEOEKM_ALG_RSA_4096: return 4096;
    default: return 0;
  }
}

Result<SqlCpSession> OpenSession(const SqlCryptFunctions& api, const std::string& set_name) {
  EngineString name(set_name), password("");
  const SqlCpCredential credential{name.str(), password.str()};
  SqlCpSession session = nullptr;
  const SqlCpError rc = api.OpenSession(&credential, &session);
  if (rc != scp_err_Success) return Failed("SqlCryptOpenSession", rc, "for vault set '" + set_name + "'");
  return session;
}

// One engine thread: a session of its own, so that the library's per-session
// retry stash serves this thread's two-call protocol.
class LibraryCaller : public DrillKeyCaller {
 public:
  LibraryCaller(const SqlCryptFunctions& api, SqlCpSession session, const Thumb& thumb)
      : api_(api), session_(session), thumb_(thumb) {}
  ~LibraryCaller() override { (void)api_.CloseSession(&session_, 0); }

  Result<Bytes> Wrap(const SecureBytes& dek) override {
    return Crypt<Bytes>("SqlCryptEncrypt", api_.Encrypt, dek.data(), dek.size());
  }

  Result<SecureBytes> Unwrap(const Bytes& wrapped) override {
    SqlCpData thumb = Thumbprint();
    EngineKeyInfo key;
    const SqlCpError rc = api_.GetKeyInfoByThumb(&session_, &thumb, &key.info);
    if (rc != scp_err_Success) return Failed("SqlCryptGetKeyInfoByThumb", rc);
    return Crypt<SecureBytes>("SqlCryptDecrypt", api_.Decrypt, wrapped.data(), wrapped.size());
  }

 private:
  SqlCpData Thumbprint() { return SqlCpData{static_cast<SqlCpUlong>(thumb_.size()), thumb_.data()}; }

  // SqlCryptEncrypt or SqlCryptDecrypt (one signature) with the engine's
  // two-call protocol: a first call without a buffer learns the size
  // (InsufficientBuffer), the second fills a buffer of exactly that size.
  template <typename Buffer>
  Result<Buffer> Crypt(const char* function, SqlCryptEncryptFn call, const std::uint8_t* input, std::size_t size) {
    SqlCpData thumb = Thumbprint();
    SqlCpData in{static_cast<SqlCpUlong>(size), const_cast<std::uint8_t*>(input)};
    SqlCpData out{0, nullptr};
    SqlCpError rc = call(&session_, &thumb, 1, nullptr, 0, &in, &out);
    if (rc != scp_err_InsufficientBuffer) return Failed(function, rc, "(asking the output's size)");
    Buffer buffer(out.cb);
    out.pb = buffer.data();
    rc = call(&session_, &thumb, 1, nullptr, 0, &in, &out);
    if (rc != scp_err_Success) return Failed(function, rc);
    buffer.resize(out.cb);
    return buffer;
  }

  const SqlCryptFunctions& api_;
  SqlCpSession session_;
  Thumb thumb_;
};

}  // namespace

Result<std::unique_ptr<LibraryKeyPath>> LibraryKeyPath::Open(const std::string& library_path,
                                                             const std::string& config_path,
                                                             const VaultSetConfig& config) {
  std::unique_ptr<LibraryKeyPath> path(new LibraryKeyPath());
  path->library_path_ = library_path;
  path->set_name_ = config.provider.set_name;
  // RTLD_LOCAL: the library's own copies of our layers stay its own (it
  // exports nothing but the 17 functions anyway).
  void* handle = dlopen(library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status(codes::kProviderError, ErrorClass::kInternal,
                  "cannot load the provider library " + library_path + ": " + (why ? why : "dlopen failed"));
  }
  const char* missing = nullptr;
  if (int state = SqlCryptResolveFunctions(dlsym, handle, &path->api_, &missing); state != 0) {
    return Status(codes::kProviderError, ErrorClass::kInternal,
                  "Msg 33085, Level 16, State " + std::to_string(state) +
                      ": One or more methods cannot be found in cryptographic provider library '" + library_path +
                      "' (" + missing + ")");
  }

  const char* env = GEOEKM_CONFIG_ENV;
  if (const char* previous = std::getenv(env)) path->previous_config_env_ = previous;
  if (setenv(env, config_path.c_str(), 1) != 0) {
    return Status(codes::kProviderError, ErrorClass::kInternal, std::string("cannot set ") + env);
  }
  path->env_set_ = true;
  const SqlCpError rc = path->api_.InitializeProvider();
  if (rc != scp_err_Success) {
    return Failed("SqlCryptInitializeProvider", rc, std::string("with ") + env + "=" + config_path);
  }
  path->initialized_ = true;
  auto session = OpenSession(path->api_, path->set_name_);
  if (!session.ok()) return session.status();
  path->session_ = *session;

  // After the library opened the store (it creates and migrates it).
  StateStoreOptions store_options;
  store_options.path = config.provider.state_path;
  auto store = StateStore::Open(store_options);
  if (!store.ok()) return Status(store.status()).Prefix("reading the library's state store: ");
  path->store_ = std::move(store).value();
  return path;
}

LibraryKeyPath::~LibraryKeyPath() { (void)Finish(); }

std::string LibraryKeyPath::description() const {
  return "the SQL Crypto API of " + library_path_ + " (SqlCrypt* calls, as SQL Server makes them)";
}

Result<DrillKeyVersion> LibraryKeyPath::OpenKey(const std::string& key_name) {
  EngineString name(key_name);
  SqlCpStr str = name.str();
  // The engine asks for the sizes first (CREATE ASYMMETRIC KEY ... PROVIDER_KEY_NAME).
  SqlCpKeyInfo sizes{};
  SqlCpError rc = api_.GetKeyInfoByName(&session_, &str, &sizes);
  if (rc != scp_err_InsufficientBuffer) return Failed("SqlCryptGetKeyInfoByName", rc, "for '" + key_name + "'");
  EngineKeyInfo key;
  rc = api_.GetKeyInfoByName(&session_, &str, &key.info);
  if (rc != scp_err_Success) return Failed("SqlCryptGetKeyInfoByName", rc, "for '" + key_name + "'");
  if (key.info.thumb.cb != thumb_.size() || BitsOfAlgorithm(key.info.algId) == 0) {
    return Status(codes::kProviderError, ErrorClass::kInternal,
                  "SqlCryptGetKeyInfoByName answered a thumbprint of " + std::to_string(key.info.thumb.cb) +
                      " bytes and algorithm " + std::to_string(key.info.algId));
  }
  std::copy(key.thumb, key.thumb + thumb_.size(), thumb_.begin());
  return DrillKeyVersion{Base64UrlEncode(thumb_.data(), thumb_.size()), BitsOfAlgorithm(key.info.algId)};
}

Result<std::unique_ptr<DrillKeyCaller>> LibraryKeyPath::NewCaller() {
  auto session = OpenSession(api_, set_name_);
  if (!session.ok()) return session.status();
  return std::unique_ptr<DrillKeyCaller>(new LibraryCaller(api_, *session, thumb_));
}

std::optional<VaultHealthState> LibraryKeyPath::HealthOf(const std::string& vault) {
  auto vaults = store_->Vaults();
  if (!vaults.ok()) return std::nullopt;
  for (const VaultRecord& v : *vaults) {
    if (v.name == vault) return v.health;
  }
  return std::nullopt;
}

Status LibraryKeyPath::Finish() {
  SqlCpError rc = scp_err_Success;
  if (initialized_) {
    initialized_ = false;
    if (session_ != nullptr) (void)api_.CloseSession(&session_, 0);
    session_ = nullptr;
    // The library's runtime shuts down: its writer writes everything queued.
    rc = api_.FreeProvider();
  }
  if (env_set_) {
    env_set_ = false;
    const char* env = GEOEKM_CONFIG_ENV;
    if (previous_config_env_) {
      setenv(env, previous_config_env_->c_str(), 1);
    } else {
      unsetenv(env);
    }
  }
  if (rc != scp_err_Success) return Failed("SqlCryptFreeProvider", rc);
  return Status::Ok();
}

}  // namespace geoekm
