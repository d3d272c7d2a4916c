#include "provider/ekm/ekm_provider.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "config/config_loader.h"
#include "core/base64url.h"
#include "core/error_codes.h"
#include "keyvault/identity/client_secret_source.h"
#include "provider/runtime/log_setup.h"

namespace geoekm::ekm {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string WithoutHyphens(std::string_view id) {
  std::string out;
  for (char c : id)
    if (c != '-') out.push_back(c);
  return out;
}

Status AuthFailed(int code, std::string message) { return Status(code, ErrorClass::kAuth, std::move(message)); }

Status NotFound(std::string message) { return Status(codes::kNotFound, ErrorClass::kNotFound, std::move(message)); }

// Key Vault version ids are 32 hex characters (§Key paths); anything of
// that alphabet up to 64 is passed on and a vault decides.
bool PlausibleVersion(std::string_view v) {
  return !v.empty() && v.size() <= 64 &&
         std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::uint32_t AlgorithmIdForBits(int bits) {
  switch (bits) {
    case 2048: return 1;
    case 3072: return 2;
    case 4096: return 3;
    default: return 0;
  }
}

std::uint32_t KeyIdOf(const RawThumbprint& raw) {
  std::uint32_t id = (std::uint32_t{raw[0]} << 24) | (std::uint32_t{raw[1]} << 16) | (std::uint32_t{raw[2]} << 8) |
                     std::uint32_t{raw[3]};
  return id == 0 ? 1 : id;  // 0 starts an enumeration (§EKM ABI)
}

Result<EkmKeyInfo> MakeKeyInfo(const std::string& key_name, const std::string& thumbprint, int size_bits) {
  auto raw = Base64UrlDecode(thumbprint);
  if (!raw.ok() || raw->size() != kThumbLen) {
    return Status(codes::kGetKeyJsonParser, ErrorClass::kInternal, "key version without a usable thumbprint");
  }
  if (AlgorithmIdForBits(size_bits) == 0) {
    return Status(codes::kNotSupported, ErrorClass::kInvalidInput,
                  "key '" + key_name + "' version " + thumbprint + " is RSA-" + std::to_string(size_bits) +
                      "; supported are RSA 2048, 3072 and 4096");
  }
  EkmKeyInfo info;
  info.key_name = key_name;
  info.thumbprint = thumbprint;
  std::copy(raw->begin(), raw->end(), info.raw.begin());
  info.size_bits = size_bits;
  info.key_id = KeyIdOf(info.raw);
  return info;
}

Result<std::unique_ptr<EkmProvider>> EkmProvider::Open(const std::string& config_path) {
  auto config = LoadVaultSetConfig(config_path);
  if (!config.ok()) return config.status();
  auto runtime = VaultSetRuntime::Open(*config);
  if (!runtime.ok()) return runtime.status();
  return std::unique_ptr<EkmProvider>(new EkmProvider(std::move(runtime).value()));
}

EkmProvider::EkmProvider(std::unique_ptr<VaultSetRuntime> runtime) : runtime_(std::move(runtime)) {
  configured_alg_ = config().provider.wrap_algorithm;
}

EkmProvider::~EkmProvider() = default;

Poco::Logger& EkmProvider::logger() const { return EventLogger(runtime_->config().provider.set_name); }

Deadline EkmProvider::NewDeadline() const { return Deadline::After(config().router.operation_deadline); }

Status EkmProvider::Authenticate(std::string_view name, const SecureString& password) const {
  const CredentialOptions& auth = config().auth;
  if (name != config().provider.set_name) {
    return AuthFailed(codes::kVaultNameNotResolved, "the credential's name '" + std::string(name.substr(0, 128)) +
                                                        "' is not this provider's vault set '" +
                                                        config().provider.set_name + "'");
  }
  if (password.empty()) return Status::Ok();  // the configuration holds the credential
  if (password.size() < 32) {
    return AuthFailed(codes::kPasswordTooShort, "the credential's secret is " + std::to_string(password.size()) +
                                                    " characters, shorter than the 32 of a client id");
  }
  const std::string client_id = WithoutHyphens(auth.client_id);
  if (client_id.empty() || !EqualsIgnoreCase(std::string_view(password.data(), 32), client_id)) {
    return AuthFailed(codes::kTokenBadCredentials,
                      "the credential's secret does not start with the configured client id (without hyphens)");
  }
  if (auth.kind != CredentialKind::kClientSecret) return Status::Ok();  // certificate, managed identity: id only
  SecureString secret = auth.client_secret;
  if (secret.empty()) {
    auto read = ReadSecretFile(auth.client_secret_file, "client secret");
    if (!read.ok()) return AuthFailed(codes::kTokenBadCredentials, read.status().message());
    secret = std::move(read).value();
  }
  const std::size_t given = password.size() - 32;
  if (given != secret.size() || CRYPTO_memcmp(password.data() + 32, secret.data(), given) != 0) {
    return AuthFailed(codes::kTokenBadCredentials, "the credential's secret is not the configured client secret");
  }
  return Status::Ok();
}

std::optional<std::string> EkmProvider::ConfiguredKey(std::string_view name) const {
  for (const auto& k : config().provider.key_names)
    if (EqualsIgnoreCase(k, name)) return k;
  return std::nullopt;
}

Result<EkmKeyInfo> EkmProvider::Remember(EkmKeyInfo info) {
  std::lock_guard lock(mu_);
  by_thumbprint_[info.thumbprint] = info;
  return info;
}

Result<EkmKeyInfo> EkmProvider::InfoFromBundle(const KeyBundle& bundle, const std::string& key_name) {
  auto info = MakeKeyInfo(key_name, bundle.thumbprint, bundle.key_size_bits);
  if (!info.ok()) return info.status();
  return Remember(std::move(info).value());
}

Result<EkmKeyInfo> EkmProvider::KeyByName(std::string_view name) {
  const std::size_t slash = name.find('/');
  std::string_view key = name.substr(0, slash);
  std::string_view version = slash == std::string_view::npos ? std::string_view() : name.substr(slash + 1);
  auto configured = ConfiguredKey(key);
  if (!configured) {
    return NotFound("key '" + std::string(key.substr(0, 127)) + "' is not one of this vault set's key_names");
  }
  if (slash == std::string_view::npos) {
    auto current = runtime_->router().CurrentVersion(*configured, NewDeadline());
    if (!current.ok()) return current.status();
    return InfoFromBundle(*current, *configured);
  }
  if (!PlausibleVersion(version)) return NotFound("'" + std::string(version.substr(0, 64)) + "' is not a version id");
  // A version id is one vault's name for the version (a BYOK copy has
  // another): the first vault, by priority, that knows it answers.
  Status last = NotFound("no vault knows version '" + std::string(version) + "' of key '" + *configured + "'");
  for (const RoutedVault& v : runtime_->vaults()) {
    auto bundle = v.ops->GetKey(*configured, std::string(version), NewDeadline());
    if (bundle.ok()) return InfoFromBundle(*bundle, *configured);
    if (bundle.status().error_class() != ErrorClass::kNotFound) last = bundle.status();
  }
  return last;
}

Result<EkmKeyInfo> EkmProvider::KeyByThumbprint(const RawThumbprint& raw) {
  const std::string thumbprint = Base64UrlEncode(raw.data(), raw.size());
  {
    std::lock_guard lock(mu_);
    if (auto it = by_thumbprint_.find(thumbprint); it != by_thumbprint_.end()) return it->second;
  }
  // The recorded history first: what a restore of an old backup names.
  auto recorded = runtime_->store().FindKeyVersion(thumbprint);
  if (recorded.ok() && recorded->has_value()) {
    if (auto key = ConfiguredKey((*recorded)->key_name)) {
      auto info = MakeKeyInfo(*key, thumbprint, (*recorded)->size_bits);
      if (info.ok()) return Remember(std::move(info).value());
    }
  }
  // Then the vaults: the current versions, then every version they list
  // (a state store rebuilt or lost must not strand a DEK).
  for (const auto& key : config().provider.key_names) {
    auto current = runtime_->router().CurrentVersion(key, NewDeadline());
    if (current.ok() && current->thumbprint == thumbprint) return InfoFromBundle(*current, key);
  }
  for (const auto& key : config().provider.key_names) {
    auto located = runtime_->router().Locate(key, thumbprint, NewDeadline());
    if (!located.ok() || located->held_by.empty()) continue;
    const KeyVersionLocation& at = located->held_by.front();
    auto ops = runtime_->vault(at.vault);
    if (!ops) continue;
    auto bundle = ops->GetKey(key, at.version, NewDeadline());
    if (bundle.ok() && bundle->thumbprint == thumbprint) return InfoFromBundle(*bundle, key);
  }
  return NotFound("no version of this vault set's keys has thumbprint " + thumbprint);
}

std::map<std::uint32_t, EkmKeyInfo> EkmProvider::KnownVersions() {
  std::map<std::uint32_t, EkmKeyInfo> known;
  for (const auto& key : config().provider.key_names) {
    auto history = runtime_->store().KeyHistory(key);
    if (history.ok()) {
      for (const auto& record : *history) {
        auto info = MakeKeyInfo(key, record.thumbprint, record.size_bits);
        if (info.ok()) known.emplace(info->key_id, *info);
      }
    }
    auto current = runtime_->router().CurrentVersion(key, NewDeadline());
    if (current.ok()) {
      auto info = InfoFromBundle(*current, key);
      if (info.ok()) known.emplace(info->key_id, *info);
    }
  }
  return known;
}

Result<std::uint32_t> EkmProvider::NextKeyId(std::uint32_t after) {
  auto known = KnownVersions();
  auto it = known.upper_bound(after);
  if (it == known.end()) return NotFound("no key version after id " + std::to_string(after));
  return it->first;
}

Result<EkmKeyInfo> EkmProvider::KeyById(std::uint32_t id) {
  auto known = KnownVersions();
  auto it = known.find(id);
  if (it == known.end()) return NotFound("no key version has id " + std::to_string(id));
  return Remember(it->second);
}

Result<Bytes> EkmProvider::Encrypt(const EkmKeyInfo& key, const SecureBytes& plaintext) {
  auto wrapped = runtime_->router().WrapVersion(key.key_name, key.thumbprint, configured_alg_, plaintext, NewDeadline());
  if (!wrapped.ok()) return wrapped.status();
  if (wrapped->thumbprint != key.thumbprint || wrapped->wrapped.size() * 8 != static_cast<std::size_t>(key.size_bits)) {
    return Status(codes::kWrapJsonParser, ErrorClass::kInternal,
                  "wrap answered with another key version or length than asked for; not returned");
  }
  return std::move(wrapped->wrapped);
}

Result<SecureBytes> EkmProvider::Decrypt(const EkmKeyInfo& key, const Bytes& ciphertext) {
  if (ciphertext.size() * 8 != static_cast<std::size_t>(key.size_bits)) {
    return Status(codes::kInvalidArgument, ErrorClass::kInvalidInput,
                  "ciphertext of " + std::to_string(ciphertext.size()) + " bytes for RSA-" +
                      std::to_string(key.size_bits) + " key version " + key.thumbprint);
  }
  UnwrapRequest request;
  request.key_name = key.key_name;
  request.thumbprint = key.thumbprint;
  request.algorithm = configured_alg_;
  request.wrapped = ciphertext;
  auto first = runtime_->router().Unwrap(request, NewDeadline());
  if (first.ok() || first.status().error_class() != ErrorClass::kBadRequest) return first;
  // A vault refused the ciphertext under this algorithm: a DEK wrapped
  // before wrap_algorithm changed uses the other one (§EKM ABI).
  request.algorithm =
      configured_alg_ == WrapAlgorithm::kRsaOaep256 ? WrapAlgorithm::kRsaOaep : WrapAlgorithm::kRsaOaep256;
  auto second = runtime_->router().Unwrap(request, NewDeadline());
  if (second.ok()) return second;
  return first;
}

}  // namespace geoekm::ekm
